// How a predict pool divides the cores: worker threads × wasm threads per worker, never more than
// the cores (two threaded workers on two cores would each wait on the other's threads).
import { ArgumentError } from '@tfjs-vit/ops';

/** What {@link chooseSplit} is told: the cores, the work, and what the caller fixed. */
export interface SplitRequest {
  /** Cores to use (`os.availableParallelism()`). */
  cores: number;
  /** Images in the call; unknown (a long-lived pool): as many as keep every core busy. */
  images?: number;
  /** Worker threads, or 'auto' (default). */
  workers?: number | 'auto';
  /** wasm threads in each worker, or 'auto' (default). */
  threadsPerWorker?: number | 'auto';
  /** The model's width, when known: 'auto' gives spare cores to threads only from {@link THREADED_MIN_WIDTH} up. */
  embedDim?: number;
}

/**
 * The narrowest model whose forward pass 'auto' splits over wasm threads: measured on the 2-core
 * VM (docs/results.md, predict pool), one image with 2 threads is 1.5× one thread's rate for
 * ViT-B/16 (768) and 0.76× for ViT-Ti/16 (192): small matmuls lose more to synchronisation than
 * they gain. Widths between were not measured; they get one thread.
 */
export const THREADED_MIN_WIDTH = 768;

/** A split of the cores. */
export interface PoolSplit {
  workers: number;
  threadsPerWorker: number;
  /** Why this split, for a log line. */
  reason: string;
}

const positive = (name: string, v: unknown): v is number => {
  if (v === undefined || v === 'auto') return false;
  if (!(typeof v === 'number' && Number.isInteger(v) && v >= 1)) throw new ArgumentError(`${name} must be a positive integer or 'auto', got ${String(v)}`);
  return true;
};

/**
 * The split of `cores` into workers × wasm threads per worker, at most `cores` in all. Whole
 * images are the cheapest unit of parallel work (no synchronisation inside a forward pass), so
 * 'auto' gives one single-threaded worker per core — unless there are fewer images than cores,
 * when the spare cores become threads of the workers that have work (one image: one worker on
 * every core), for models at least {@link THREADED_MIN_WIDTH} wide. A fixed `workers` gets the cores it leaves as threads, and vice versa. Asking for
 * more than the cores is an error naming the product.
 *
 * @example
 * ```ts
 * chooseSplit({ cores: 2, images: 32 }); // { workers: 2, threadsPerWorker: 1, … }
 * chooseSplit({ cores: 2, images: 1 });  // { workers: 1, threadsPerWorker: 2, … }
 * chooseSplit({ cores: 2, images: 1, embedDim: 192 }); // { workers: 1, threadsPerWorker: 1, … } (Ti/16)
 * chooseSplit({ cores: 8, workers: 2 }); // { workers: 2, threadsPerWorker: 4, … }
 * ```
 */
export function chooseSplit(request: SplitRequest): PoolSplit {
  const { cores, images } = request;
  if (!(Number.isInteger(cores) && cores >= 1)) throw new ArgumentError(`cores must be a positive integer, got ${String(cores)}`);
  if (images !== undefined && !(Number.isInteger(images) && images >= 0)) throw new ArgumentError(`images must be a non-negative integer, got ${String(images)}`);
  const fixedWorkers = positive('workers', request.workers);
  const fixedThreads = positive('threadsPerWorker', request.threadsPerWorker);
  const w = request.workers as number;
  const t = request.threadsPerWorker as number;
  if (fixedWorkers && fixedThreads) {
    if (w * t > cores) throw new ArgumentError(`workers × threadsPerWorker = ${w} × ${t} = ${w * t} is more than the ${cores} cores`);
    return { workers: w, threadsPerWorker: t, reason: `${w} × ${t} as asked` };
  }
  if (fixedWorkers) {
    if (w > cores) throw new ArgumentError(`workers ${w} is more than the ${cores} cores (each worker needs a core)`);
    const threads = Math.max(1, Math.floor(cores / w));
    return { workers: w, threadsPerWorker: threads, reason: `${w} workers asked; the ${cores} cores give each ${threads} thread${threads === 1 ? '' : 's'}` };
  }
  if (fixedThreads) {
    if (t > cores) throw new ArgumentError(`threadsPerWorker ${t} is more than the ${cores} cores`);
    const room = Math.floor(cores / t);
    const workers = Math.max(1, Math.min(room, images ?? room));
    return { workers, threadsPerWorker: t, reason: `${t} threads per worker asked; ${workers} worker${workers === 1 ? '' : 's'} fit${images !== undefined && images < room ? ` (${images} image${images === 1 ? '' : 's'})` : ` in ${cores} cores`}` };
  }
  const busy = images === undefined ? cores : Math.max(1, Math.min(cores, images));
  const narrow = request.embedDim !== undefined && request.embedDim < THREADED_MIN_WIDTH;
  const threads = narrow ? 1 : Math.max(1, Math.floor(cores / busy));
  const reason = busy === cores
    ? `one single-threaded worker per core (${cores})`
    : narrow
      ? `${images} image${images === 1 ? '' : 's'} on ${cores} cores: ${busy} single-threaded worker${busy === 1 ? '' : 's'} (width ${request.embedDim} < ${THREADED_MIN_WIDTH}: threads would slow it)`
      : `${images} image${images === 1 ? '' : 's'} on ${cores} cores: ${busy} worker${busy === 1 ? '' : 's'} × ${threads} threads`;
  return { workers: busy, threadsPerWorker: threads, reason };
}
