// DataLoader: seeded shuffling, batching and prefetch over a Dataset; decoding and augmentation run
// in worker threads when numWorkers > 0, and tensors are made on the main thread.
import * as tf from '@tensorflow/tfjs-core';
import { processBatch, type BatchResult, type BatchTask } from './batch';
import type { Dataset } from './dataset';
import { TransformArgumentError } from './errors';
import { logWarn } from './log';
import { deriveSeed, Rng, shuffleInPlace } from './rng';
import { isPixelTransform, type PixelTransform } from './transform';
import { WorkerPool } from './worker_pool';

/** Options of {@link DataLoader}. */
export interface DataLoaderOptions {
  /** Default 1. */
  batchSize?: number;
  /** Reshuffle every epoch (seeded by `seed` and the epoch number). Default false. */
  shuffle?: boolean;
  /** Seeds the shuffle and every sample's augmentation stream. Default 0. */
  seed?: number;
  /** Drop the last, smaller batch. Default false. */
  dropLast?: boolean;
  /** A pixel pipeline (e.g. {@link createTransform}'s); without one images are only scaled to [0, 1]. */
  transform?: PixelTransform;
  /** Worker threads (Node). 0 runs everything on the main thread. Default 0. */
  numWorkers?: number;
  /** Batches in flight ahead of the consumer. Default 2 · max(1, numWorkers). */
  prefetch?: number;
  /** 'skip' drops samples that fail to decode (with a warning); 'raise' (default) throws, naming the file. */
  onError?: 'raise' | 'skip';
  /** The same as `onError: 'skip'`: corrupt images are left out and listed in `loader.skipped`. */
  skipBadImages?: boolean;
  /** Worker script; default the package's `worker.js` next to the built module. */
  workerUrl?: URL | string;
}

/** One batch: images `[B, H, W, C]` float32 and labels `[B]` int32 (the caller disposes both). */
export interface Batch {
  images: tf.Tensor4D;
  labels: tf.Tensor1D;
  /** Dataset indices of the samples, in batch order. */
  indices: number[];
}

/**
 * Iterates a dataset in batches of NHWC tensors, as torch's DataLoader. Each `for await` is one
 * epoch; with `shuffle` the order changes per epoch, reproducibly under `seed`. Augmentation uses a
 * per-sample PRNG seeded by (seed, epoch, index), so numWorkers does not change the numbers.
 *
 * @example
 * const loader = new DataLoader(train, { batchSize: 32, shuffle: true, seed: 0, numWorkers: 2,
 *   transform: createTransform({ isTraining: true, inputSize: 224 }) });
 * for await (const { images, labels } of loader) { ...; tf.dispose([images, labels]); }
 * await loader.close();
 */
export class DataLoader implements AsyncIterable<Batch> {
  readonly dataset: Dataset;
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly seed: number;
  readonly dropLast: boolean;
  readonly numWorkers: number;
  readonly prefetch: number;
  /** The next epoch's number (incremented when an iteration starts). */
  epoch = 0;
  /** Samples left out because they failed to decode (`skipBadImages`), each once, in the order met. */
  readonly skipped: { index: number; source: string; message: string }[] = [];
  private readonly transform: PixelTransform | null;
  private readonly onError: 'raise' | 'skip';
  private readonly workerUrl: URL | string;
  private pool: WorkerPool | null = null;

  constructor(dataset: Dataset, options: DataLoaderOptions = {}) {
    this.dataset = dataset;
    this.batchSize = options.batchSize ?? 1;
    this.shuffle = options.shuffle ?? false;
    this.seed = options.seed ?? 0;
    this.dropLast = options.dropLast ?? false;
    this.numWorkers = options.numWorkers ?? 0;
    this.prefetch = options.prefetch ?? 2 * Math.max(1, this.numWorkers);
    if (options.skipBadImages !== undefined && options.onError !== undefined && options.skipBadImages !== (options.onError === 'skip')) {
      throw new TransformArgumentError(`DataLoader: skipBadImages ${options.skipBadImages} contradicts onError '${options.onError}'`);
    }
    this.onError = options.skipBadImages ? 'skip' : (options.onError ?? 'raise');
    this.workerUrl = options.workerUrl ?? new URL('./worker.js', import.meta.url);
    if (!(Number.isInteger(this.batchSize) && this.batchSize > 0)) {
      throw new TransformArgumentError(`DataLoader: batchSize must be a positive int, got ${options.batchSize}`);
    }
    if (!(Number.isInteger(this.numWorkers) && this.numWorkers >= 0)) {
      throw new TransformArgumentError(`DataLoader: numWorkers must be an int ≥ 0, got ${options.numWorkers}`);
    }
    if (!(Number.isInteger(this.prefetch) && this.prefetch > 0)) {
      throw new TransformArgumentError(`DataLoader: prefetch must be a positive int, got ${options.prefetch}`);
    }
    if (options.transform !== undefined && !isPixelTransform(options.transform)) {
      throw new TransformArgumentError('DataLoader: transform must be a pixel transform (apply + toSpec), e.g. a Compose of built-ins');
    }
    this.transform = options.transform ?? null;
  }

  /** Number of batches per epoch. */
  get length(): number {
    const n = this.dataset.length / this.batchSize;
    return this.dropLast ? Math.floor(n) : Math.ceil(n);
  }

  /** The dataset indices of each batch of `epoch`. */
  batchIndices(epoch: number): number[][] {
    const order = Array.from({ length: this.dataset.length }, (_, i) => i);
    if (this.shuffle) shuffleInPlace(order, new Rng(deriveSeed(this.seed, epoch)));
    const out: number[][] = [];
    for (let s = 0; s < order.length; s += this.batchSize) {
      const b = order.slice(s, s + this.batchSize);
      if (b.length < this.batchSize && this.dropLast) break;
      out.push(b);
    }
    return out;
  }

  private task(indices: number[], epoch: number): BatchTask {
    const items = indices.map((index) => {
      const { source, label } = this.dataset.item(index);
      return { index, source, label, seed: deriveSeed(this.seed, epoch, index) };
    });
    return { items, onError: this.onError };
  }

  private run(task: BatchTask): Promise<BatchResult> {
    if (this.numWorkers === 0) return processBatch(task, this.transform);
    this.pool ??= new WorkerPool(this.numWorkers, this.transform?.toSpec() ?? null, this.workerUrl);
    return this.pool.run(task);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Batch> {
    const epoch = this.epoch++;
    const batches = this.batchIndices(epoch);
    const inFlight: Promise<BatchResult>[] = [];
    let next = 0;
    const fill = () => {
      while (inFlight.length < this.prefetch && next < batches.length) {
        const p = this.run(this.task(batches[next++], epoch));
        p.catch(() => undefined); // surfaced when awaited; avoids unhandled rejections on early exit
        inFlight.push(p);
      }
    };
    fill();
    while (inFlight.length > 0) {
      const r = await (inFlight.shift() as Promise<BatchResult>);
      fill();
      for (const s of r.skipped) {
        if (this.skipped.some((x) => x.index === s.index)) continue; // a bad file fails again every epoch: reported once
        const source = this.dataset.item(s.index).source;
        this.skipped.push({ index: s.index, source: typeof source === 'string' ? source : `sample ${s.index}`, message: s.message });
        logWarn(`skipped sample ${s.index}: ${s.message}`);
      }
      if (r.shape[0] === 0) continue;
      yield {
        images: tf.tensor4d(r.images, r.shape, 'float32'),
        labels: tf.tensor1d(r.labels, 'int32'),
        indices: r.indices,
      };
    }
  }

  /** Stops the worker threads (the loader can be iterated again afterwards; workers restart). */
  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = null;
    await pool?.close();
  }
}
