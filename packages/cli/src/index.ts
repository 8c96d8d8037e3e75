// @tfjs-vit/cli: the `tfjs-vit` command and its commands as functions.
export { runCli, type CliIO } from './program';
export { createContext, type CliContext } from './context';
export { runPredict, type PredictOptions } from './predict_command';
export { runEmbed, type EmbedCommandOptions } from './embed_command';
export { runAttention, type AttentionCommandOptions } from './attention_command';
export { runTrain, type TrainCommandOptions } from './train_command';
export { runBench, formatBenchTable, type BenchCommandOptions } from './bench_command';
export { checkpointInfo, formatInfo, type CheckpointInfo } from './info_command';
export { runConvert, resolveOutput, describeArchitecture, type ConvertOptions, type ConvertSummary, type OutputFormat } from './convert_command';
export { modelRows, formatModelTable } from './models_command';
export { expandImages, PREDICT_EXTENSIONS } from './image_inputs';
export { describeBackend, useBackend } from './backend';
export { createProgress, formatBytes, type Progress, type ProgressOptions } from './progress';
export { countingFileSource } from './counting_source';
export { runWorker, type WorkerCommandOptions, type WorkerSummary, type ImageJobData } from './worker_command';
export { runQueuePredict, type QueuePredictOptions } from './queue_predict';
export { parseQueueUrl, jobIdOf, canonicalImage, QueueUrlError, type QueueLocation } from './queue_url';
