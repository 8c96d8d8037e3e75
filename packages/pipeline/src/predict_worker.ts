// A predict pool's worker (piscina runs this file in each worker thread): its own tfjs backend,
// the model rebuilt from its config with the weights the main thread shared, and per task a
// batch of images decoded, preprocessed and run to logits. An image that fails is reported in the
// answer (the main thread rebuilds its typed error); anything else is a crash the pool retries.
import { threadId, workerData } from 'node:worker_threads';
import { createViT, type VisionTransformer, type VisionTransformerOptions } from '@tfjs-vit/models';
import { selectBackend, wasmThreadsInUse } from '@tfjs-vit/ops';
import { evalTransform, loadImage, type Compose, type DataConfig, type FloatImage, type ImageInput } from '@tfjs-vit/transforms';
import { tfjsRunner, type LogitsRunner } from './runtime';
import { loadSharedWeights, type SharedWeights } from './shared_weights';

/** What the pool gives every worker (`workerData`). */
export interface PredictWorkerData {
  config: VisionTransformerOptions;
  weights: SharedWeights;
  dataConfig: DataConfig;
  exifOrientation: boolean;
  backend: 'wasm' | 'cpu';
  threads: number;
  /** @internal Tests only: while positive, a batch decrements it and crashes its worker (`mode`). */
  crash?: { counter: Int32Array; mode: 'exit' | 'throw' };
}

/** A task: initialise (and report), or run these images. */
export type PredictTask = { kind: 'init' } | { kind: 'batch'; images: ImageInput[]; names: string[] };

/** An image that failed, as it crosses threads (errors lose their class in a structured clone). */
export interface FailedImage {
  index: number;
  name: string;
  errorName: string;
  code?: string;
  message: string;
  source?: string;
}

/** A worker's answer. */
export type PredictAnswer =
  | { kind: 'init'; threadId: number; backend: string; threads: number; reason: string }
  | { kind: 'batch'; threadId: number; logits: Float32Array; done: number[]; failed: FailedImage[] }
  | { kind: 'fatal'; errorName: string; code?: string; message: string };

interface Ready {
  model: VisionTransformer;
  transform: Compose;
  runner: LogitsRunner;
  backend: string;
  threads: number;
  reason: string;
}

const data = workerData as PredictWorkerData;
let ready: Promise<Ready> | undefined;

async function init(): Promise<Ready> {
  const choice = await selectBackend({ prefer: data.backend, fallback: false, wasmThreads: data.threads });
  const model = createViT(data.config).eval();
  loadSharedWeights(model, data.weights);
  const threads = choice.backend === 'wasm' ? wasmThreadsInUse() ?? 1 : 1;
  return { model, transform: evalTransform(data.dataConfig), runner: tfjsRunner(model), backend: choice.backend, threads, reason: choice.reason };
}

const describe = (e: unknown) => {
  const err = e as Error & { code?: string; source?: string };
  return { errorName: err?.name ?? 'Error', code: typeof err?.code === 'string' ? err.code : undefined, message: err?.message ?? String(e), source: err?.source };
};

async function crashIfAsked(): Promise<void> {
  const c = data.crash;
  if (!c || Atomics.sub(c.counter, 0, 1) <= 0) return;
  if (c.mode === 'exit') process.exit(70);
  setTimeout(() => {
    throw new Error('injected crash (test hook)');
  });
  await new Promise(() => {}); // the uncaught error ends this worker first
}

/** The piscina task handler. */
export default async function handle(task: PredictTask): Promise<PredictAnswer> {
  let r: Ready;
  try {
    r = await (ready ??= init());
  } catch (e) {
    ready = undefined;
    return { kind: 'fatal', ...describe(e) };
  }
  if (task.kind === 'init') return { kind: 'init', threadId, backend: r.backend, threads: r.threads, reason: r.reason };
  await crashIfAsked();
  const [c, h, w] = data.dataConfig.inputSize;
  const failed: FailedImage[] = [];
  const pixels = await Promise.all(task.images.map(async (input, index) => {
    const name = task.names[index]!;
    try {
      const img = await loadImage(input, { name, exifOrientation: data.exifOrientation });
      return r.transform.apply(img) as FloatImage;
    } catch (e) {
      failed.push({ index, name, ...describe(e) });
      return null;
    }
  }));
  const done = pixels.flatMap((p, i) => (p ? [i] : []));
  if (!done.length) return { kind: 'batch', threadId, logits: new Float32Array(0), done, failed };
  const batch = new Float32Array(done.length * h * w * c);
  done.forEach((i, j) => batch.set(pixels[i]!.data, j * h * w * c));
  const logits = await r.runner.run(batch, [done.length, h, w, c]);
  return { kind: 'batch', threadId, logits, done, failed };
}
