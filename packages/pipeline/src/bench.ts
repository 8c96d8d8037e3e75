// Forward-pass speed of registered models on the active tfjs backend and, side by side in the
// same process, in onnxruntime-node on our ONNX export of the same weights — the figures and
// ratios behind `tfjs-vit bench`. Outputs are compared before anything is timed.
import * as tf from '@tensorflow/tfjs-core';
import { withSeededInit } from '@tfjs-vit/layers';
import { createModel, type VisionTransformer } from '@tfjs-vit/models';
import { ArgumentError } from '@tfjs-vit/ops';
import { onnxRunner, tfjsRunner, type LogitsRunner, type Runtime } from './runtime';

/** Options of {@link benchmarkForward}. */
export interface BenchmarkOptions {
  /** Registered names (default `['vit_tiny_patch16_224', 'vit_base_patch16_224']`). */
  models?: readonly string[];
  /** Batch sizes (default `[1, 8]`). */
  batches?: readonly number[];
  /** Timed runs per setting after one warm-up; the median is reported (default 5). */
  runs?: number;
  /** Engines to compare (default `['tfjs']`); the first is the reference of the ratios and diffs. */
  runtimes?: readonly Runtime[];
  /** onnxruntime's intra-op threads. */
  threads?: number;
  /** Called with each row as soon as it is measured. */
  onRow?: (row: BenchmarkRow) => void;
}

/** One measured setting. */
export interface BenchmarkRow {
  model: string;
  params: number;
  batch: number;
  runtime: Runtime;
  /** The tfjs backend (for 'tfjs'), else the runtime's name. */
  engine: string;
  /** Median milliseconds per image. */
  msPerImage: number;
  imagesPerSecond: number;
  /** This row's time over the first runtime's at the same model and batch (1 for itself). */
  ratio: number;
  /** Max |logit − first runtime's logit| on the same input. */
  maxAbsDiff: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function timeRuns(runs: number, fn: () => Promise<unknown>): Promise<number> {
  await fn(); // warm-up: kernels compiled, buffers allocated
  const ts: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    ts.push(performance.now() - t0);
  }
  return median(ts);
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return a.length === b.length ? d : Infinity;
}

function positiveInts(name: string, xs: readonly number[]): void {
  if (!xs.length || !xs.every((x) => Number.isInteger(x) && x > 0)) throw new ArgumentError(`bench: ${name} must be positive integers, got [${xs.join(', ')}]`);
}

/**
 * Times each model's forward pass (random weights drawn from a fixed seed, a fixed random input)
 * at each batch size in each runtime, and reports the median ms per image, images/s, the ratio to
 * the first runtime and the largest logit difference from it. A runtime that cannot load (no
 * onnxruntime-node) throws its `RUNTIME_MISSING` error before anything is timed.
 *
 * @example
 * ```ts
 * const rows = await benchmarkForward({ models: ['vit_tiny_patch16_224'], runtimes: ['tfjs', 'onnxruntime'] });
 * rows[1].ratio; // onnxruntime's time over tfjs'
 * ```
 */
export async function benchmarkForward(options: BenchmarkOptions = {}): Promise<BenchmarkRow[]> {
  const models = options.models ?? ['vit_tiny_patch16_224', 'vit_base_patch16_224'];
  const batches = options.batches ?? [1, 8];
  const runs = options.runs ?? 5;
  const runtimes = options.runtimes ?? ['tfjs'];
  positiveInts('batches', batches);
  positiveInts('runs', [runs]);
  if (!runtimes.length || runtimes.some((r) => r !== 'tfjs' && r !== 'onnxruntime')) throw new ArgumentError(`bench: runtimes must be tfjs and/or onnxruntime, got [${runtimes.join(', ')}]`);
  const rows: BenchmarkRow[] = [];
  for (const name of models) {
    const model = withSeededInit(0, () => createModel<VisionTransformer>(name)).eval();
    const runners: LogitsRunner[] = [];
    try {
      const [h, w] = model.config.imgSize;
      for (const r of runtimes) runners.push(r === 'tfjs' ? tfjsRunner(model) : await onnxRunner(model, [h, w], options.threads));
      const params = model.numParameters();
      for (const b of batches) {
        const shape: [number, number, number, number] = [b, h, w, model.config.inChans];
        const x = tf.tidy(() => tf.randomUniform(shape, -1, 1, 'float32', 1).dataSync() as Float32Array);
        const reference = await runners[0].run(x, shape);
        let first = 0;
        for (const runner of runners) {
          const diff = maxAbsDiff(reference, await runner.run(x, shape));
          const ms = (await timeRuns(runs, () => runner.run(x, shape))) / b;
          if (runner === runners[0]) first = ms;
          const row: BenchmarkRow = {
            model: name, params, batch: b, runtime: runner.runtime, engine: runner.runtime === 'tfjs' ? tf.getBackend() : 'onnxruntime-node',
            msPerImage: ms, imagesPerSecond: 1000 / ms, ratio: ms / first, maxAbsDiff: diff,
          };
          rows.push(row);
          options.onRow?.(row);
        }
      }
    } finally {
      for (const r of runners) await r.dispose();
      model.dispose();
    }
  }
  return rows;
}
