// Option parsers and the options every command shares (--backend, --verbose) or every image
// command shares (weights, model, the data-config overrides), so each command file stays its own
// parsing plus one library call.
import { InvalidArgumentError, Option, type Command } from 'commander';
import type { DataConfigOverrides } from '@tfjs-vit/pipeline';

/** A non-negative integer flag value. */
export function int(name: string, min = 0) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${name} must be an integer ≥ ${min}, got '${v}'`);
    return n;
  };
}

/** `--workers`: 'auto' or a positive integer. */
export function workersOption(v: string): number | 'auto' {
  return v === 'auto' ? 'auto' : int('--workers', 1)(v);
}

/** A number in (lo, hi]. */
export function fraction(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!(n > 0 && n <= 1)) throw new InvalidArgumentError(`${name} must be a number in (0, 1], got '${v}'`);
    return n;
  };
}

/** A finite number ≥ `min` (> 0 with `positive`). */
export function number(name: string, options: { min?: number; positive?: boolean } = {}) {
  return (v: string): number => {
    const n = Number(v);
    const min = options.min ?? 0;
    if (!Number.isFinite(n) || n < min || (options.positive && n <= 0)) {
      throw new InvalidArgumentError(`${name} must be a number ${options.positive ? '> 0' : `≥ ${min}`}, got '${v}'`);
    }
    return n;
  };
}

/** `S` or `HxW` (also `H,W`). */
export function size(name: string) {
  return (v: string): number | [number, number] => {
    const parts = v.split(/[x,]/).map(int(name, 1));
    if (parts.length === 1) return parts[0];
    if (parts.length === 2) return [parts[0], parts[1]];
    throw new InvalidArgumentError(`${name} must be S or HxW, got '${v}'`);
  };
}

/** `r,g,b` (or one value for all channels). */
export function floats(name: string) {
  return (v: string): number[] => {
    const parts = v.split(',').map((s) => Number(s.trim()));
    if (!parts.length || parts.some((n) => !Number.isFinite(n))) throw new InvalidArgumentError(`${name} must be numbers separated by commas, got '${v}'`);
    return parts;
  };
}

/** The `--backend` choices: auto picks the fastest available (tfjs-node when installed). */
export const BACKEND_CHOICES = ['auto', 'wasm', 'cpu', 'webgpu', 'tensorflow'] as const;

/** `--wasm-threads`: 'auto' or a positive integer. */
export function threadsOption(v: string): number | 'auto' {
  return v === 'auto' ? 'auto' : int('--wasm-threads', 1)(v);
}

/** Adds --backend, --wasm-threads and --verbose. */
export function commonOptions(cmd: Command, defaultBackend: string = 'auto'): Command {
  return cmd
    .addOption(new Option('--backend <name>', 'tfjs backend: auto = tfjs-node when installed, else wasm; webgpu only when named').choices(BACKEND_CHOICES).default(defaultBackend))
    .option('--wasm-threads <n|auto>', "wasm's threads in Node (XNNPACK): auto = one per core, 1 = tfjs' default", threadsOption, 'auto')
    .option('--verbose', 'print stack traces on errors');
}

/** Adds --weights, --model, --num-heads and the data-config overrides of timm's resolve_data_config. */
export function imageModelOptions(cmd: Command): Command {
  return cmd
    .requiredOption('-w, --weights <path>', 'checkpoint (.pth, .safetensors, .npz) or tfjs model directory / model.json')
    .option('-m, --model <name>', 'registered architecture (default: inferred from the checkpoint)')
    .option('--num-heads <n>', 'attention heads, when they cannot be inferred', int('--num-heads', 1))
    .option('--input-size <S|HxW>', "input size (default: the model's pretrained data config)", size('--input-size'))
    .addOption(new Option('--interpolation <mode>', 'resize interpolation').choices(['bicubic', 'bilinear', 'nearest']))
    .option('--crop-pct <p>', 'fraction kept by the eval crop', fraction('--crop-pct'))
    .addOption(new Option('--crop-mode <mode>', 'center: crop, squash: stretch, border: pad').choices(['center', 'squash', 'border']))
    .option('--mean <r,g,b>', 'normalisation mean', floats('--mean'))
    .option('--std <r,g,b>', 'normalisation std', floats('--std'))
    .option('--exif-orientation', 'rotate photos by their EXIF tag (PIL and timm do not)')
    .option('--allow-non-finite', 'load weights holding NaN or Inf instead of refusing the file');
}

/** The data-config overrides in parsed options. */
export function dataConfigOf(o: Record<string, unknown>): DataConfigOverrides {
  const dc: DataConfigOverrides = {};
  if (o.inputSize !== undefined) dc.inputSize = typeof o.inputSize === 'number' ? o.inputSize : (o.inputSize as number[]);
  if (o.interpolation !== undefined) dc.interpolation = o.interpolation as DataConfigOverrides['interpolation'];
  if (o.cropPct !== undefined) dc.cropPct = o.cropPct as number;
  if (o.cropMode !== undefined) dc.cropMode = o.cropMode as DataConfigOverrides['cropMode'];
  if (o.mean !== undefined) dc.mean = o.mean as number[];
  if (o.std !== undefined) dc.std = o.std as number[];
  return dc;
}

/** An "Example:" block for `--help`. */
export function examples(...lines: string[]): string {
  return `\nExample${lines.length > 1 ? 's' : ''}:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`;
}
