// @tfjs-vit/cli: the `tfjs-vit` command (convert checkpoints, list models) and its parts as functions.
export { runCli, type CliIO } from './program';
export { runConvert, resolveOutput, type ConvertOptions, type ConvertSummary, type OutputFormat } from './convert_command';
export { modelRows, formatModelTable } from './models_command';
export { createProgress, formatBytes, type Progress, type ProgressOptions } from './progress';
export { countingFileSource } from './counting_source';
