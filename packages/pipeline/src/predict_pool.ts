// Classification on every core of one machine: a piscina pool of worker threads, each with its
// own tfjs backend and the weights the main thread loaded once (one SharedArrayBuffer); batches
// are split across the workers and the results come back in input order. A worker that crashes
// is replaced (piscina) and its batch retried; only a bad image rejects the caller.
import type Piscina from 'piscina';
import { configOf } from '@tfjs-vit/convert';
import type { VisionTransformerOptions } from '@tfjs-vit/models';
import { ArgumentError, importNode, TfjsVitError } from '@tfjs-vit/ops';
import { ImageDecodeError, type DataConfig, type ImageInput } from '@tfjs-vit/transforms';
import { createClassifier, type ClassifierOptions, type ClassifyOptions, type ImageClassification } from './classifier';
import { chooseSplit, type PoolSplit } from './pool_split';
import type { FailedImage, PredictAnswer, PredictTask, PredictWorkerData } from './predict_worker';
import { shareWeights } from './shared_weights';
import { softmax, topK } from './topk';

/** Options of {@link createPredictPool} and {@link predictMany}. */
export interface PredictPoolOptions extends Omit<ClassifierOptions, 'runtime' | 'threads'> {
  /** Worker threads, or 'auto' (default: see {@link chooseSplit}). */
  workers?: number | 'auto';
  /** wasm threads in each worker, or 'auto' (default). Workers × threads never exceed `cores`. */
  threadsPerWorker?: number | 'auto';
  /** Cores to plan for (default `os.availableParallelism()`). */
  cores?: number;
  /** The number of images the pool is for, when known: fewer images than cores get threads instead of idle workers. */
  images?: number;
  /** The workers' tfjs backend (default 'wasm'). */
  backend?: 'wasm' | 'cpu';
  /** Times a batch is retried on a fresh worker after its worker crashed (default 2). */
  maxRetries?: number;
  /** Called when a worker crashed and its batch goes to another. */
  onWorkerCrash?: (event: WorkerCrashEvent) => void;
  /** The worker script (default the package's `predict_worker.js` next to the built module). */
  workerUrl?: URL | string;
  /** @internal Tests only: the first `batches` batches crash their worker (`process.exit` or an uncaught error). */
  testCrash?: { batches: number; mode: 'exit' | 'throw' };
}

/** Options of {@link PredictPool.classify} (and {@link predictMany}). */
export interface PoolClassifyOptions extends ClassifyOptions {
  /** Also return each image's logits (default false). */
  returnLogits?: boolean;
}

/** A pool's classification of one image: {@link ImageClassification}, with `logits` when asked. */
export type PoolClassification = ImageClassification & { logits?: Float32Array };

/** A crash the pool recovered from. */
export interface WorkerCrashEvent {
  error: Error;
  /** The images of the batch that is retried. */
  images: string[];
  /** 1 for the first retry of this batch. */
  attempt: number;
}

/** A batch whose workers kept crashing, beyond `maxRetries`. */
export class WorkerCrashError extends TfjsVitError {
  readonly images: string[];
  constructor(images: string[], attempts: number, cause: unknown) {
    const list = images.length > 3 ? `${images.slice(0, 3).join(', ')}, … (${images.length})` : images.join(', ');
    super('WORKER_CRASHED', `predict pool: the worker running ${list} crashed ${attempts} time${attempts === 1 ? '' : 's'}; last: ${(cause as Error)?.message ?? String(cause)}`, { cause });
    this.images = images;
  }
}

const nameOf = (input: ImageInput, i: number) => (typeof input === 'string' ? input : `<image ${i}>`);
const importPackage = (spec: string): Promise<unknown> => import(/* @vite-ignore */ spec);

/** The error an image failed with in a worker, with its class again. */
function imageError(f: FailedImage): Error {
  if (f.errorName === 'ImageDecodeError') {
    const source = f.source ?? f.name;
    return new ImageDecodeError(source, f.message.startsWith(`${source}: `) ? f.message.slice(source.length + 2) : f.message);
  }
  return new TfjsVitError(f.code ?? 'IMAGE', f.message.includes(f.name) ? f.message : `${f.name}: ${f.message}`);
}

function fatalError(a: Extract<PredictAnswer, { kind: 'fatal' }>): Error {
  return a.errorName === 'ArgumentError' ? new ArgumentError(a.message) : new TfjsVitError(a.code ?? 'WORKER_INIT', `predict pool: a worker could not start: ${a.message}`);
}

async function workerFile(url: URL | string | undefined): Promise<string> {
  const { fileURLToPath, pathToFileURL } = await importNode<typeof import('node:url')>('node:url');
  const { existsSync } = await importNode<typeof import('node:fs')>('node:fs');
  const toPath = (u: URL | string) => (u instanceof URL || u.startsWith('file:') ? fileURLToPath(u) : u);
  if (url !== undefined) return toPath(url);
  // this module: __filename in the CJS build, import.meta.url in the ESM one; from source (tests), the build's worker
  const here = typeof __filename !== 'undefined' ? pathToFileURL(__filename).href : import.meta.url;
  const path = toPath(new URL(/\.ts$/.test(here) ? '../dist/predict_worker.js' : './predict_worker.js', here));
  if (!existsSync(path)) throw new TfjsVitError('WORKER_MISSING', `predict pool: no worker script at ${path} (build @tfjs-vit/pipeline: npm run build)`);
  return path;
}

/**
 * A pool of classification workers. Made by {@link createPredictPool}; `close()` ends the workers.
 */
export class PredictPool {
  /** Crashes recovered so far. */
  crashes = 0;
  /** Each worker's backend as it reported it when it started: `wasm (1 thread)`. */
  workerBackends: readonly string[] = [];
  private closed = false;

  /** @internal Use {@link createPredictPool}. */
  constructor(
    private readonly pool: Piscina<PredictTask, PredictAnswer>,
    /** The split of the cores in use. */
    readonly split: PoolSplit,
    /** The registered name the preprocessing came from, or null. */
    readonly modelName: string | null,
    readonly dataConfig: DataConfig,
    /** Class names by index, or null. */
    readonly labels: readonly string[] | null,
    readonly numClasses: number,
    /** What loading found and assumed, one line each. */
    readonly notes: readonly string[],
    private readonly maxRetries: number,
    private readonly onWorkerCrash?: (event: WorkerCrashEvent) => void,
  ) {}

  get workers(): number {
    return this.split.workers;
  }

  get threadsPerWorker(): number {
    return this.split.threadsPerWorker;
  }

  /**
   * The top `topk` classes of each image, in input order, the images split into batches of at
   * most `batchSize` (default 8) and fewer when that leaves a worker idle. A file that cannot be
   * read or decoded rejects with `ImageDecodeError` naming it, or with `continueOnError` becomes
   * `{ image, error }` and the others go on.
   *
   * @example
   * ```ts
   * const pool = await createPredictPool({ weights: 'vit_base_patch16_224.safetensors', workers: 2 });
   * const results = await pool.classify(files, { topk: 5 });
   * await pool.close();
   * ```
   */
  async classify(images: ImageInput | readonly ImageInput[], options: PoolClassifyOptions = {}): Promise<PoolClassification[]> {
    if (this.closed) throw new TfjsVitError('POOL_CLOSED', 'predict pool: classify after close()');
    const list: readonly ImageInput[] = Array.isArray(images) ? images : [images as ImageInput];
    const k = options.topk ?? 5;
    if (!(Number.isInteger(k) && k > 0)) throw new ArgumentError(`topk must be a positive integer, got ${k}`);
    const bs = options.batchSize ?? 8;
    if (!(Number.isInteger(bs) && bs > 0)) throw new ArgumentError(`batchSize must be a positive integer, got ${bs}`);
    const C = this.numClasses;
    if (C <= 0) throw new ArgumentError('classify: this model has no head (numClasses 0)');
    const chunk = Math.max(1, Math.min(bs, Math.ceil(list.length / this.workers)));
    const out: PoolClassification[] = new Array(list.length);
    let finished = 0;
    const batches: Promise<void>[] = [];
    for (let start = 0; start < list.length; start += chunk) {
      const idx = [...Array(Math.min(chunk, list.length - start)).keys()].map((i) => start + i);
      const names = idx.map((i) => nameOf(list[i]!, i));
      batches.push(this.run({ kind: 'batch', images: idx.map((i) => list[i]!), names }, names).then((answer) => {
        const a = answer as Extract<PredictAnswer, { kind: 'batch' }>;
        for (const f of a.failed) {
          const error = imageError(f);
          if (!options.continueOnError) throw error;
          out[idx[f.index]!] = { image: f.name, error };
        }
        a.done.forEach((local, j) => {
          const logits = a.logits.subarray(j * C, (j + 1) * C);
          out[idx[local]!] = { image: names[local]!, top: topK(softmax(logits), k, this.labels), ...(options.returnLogits ? { logits: logits.slice() } : {}) };
        });
        finished += idx.length;
        options.onProgress?.(finished, list.length);
      }));
    }
    await Promise.all(batches);
    return out;
  }

  /** Ends the workers. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.destroy();
  }

  /** @internal Runs one task, retrying it on a fresh worker when its worker crashes. */
  async run(task: PredictTask, names: string[]): Promise<Extract<PredictAnswer, { kind: 'batch' | 'init' }>> {
    for (let attempt = 0; ; attempt++) {
      let answer: PredictAnswer;
      try {
        answer = await this.pool.run(task);
      } catch (e) {
        if (this.closed) throw new TfjsVitError('POOL_CLOSED', 'predict pool: closed while a batch was running');
        if (attempt >= this.maxRetries) throw new WorkerCrashError(names, attempt + 1, e);
        this.crashes++;
        this.onWorkerCrash?.({ error: e as Error, images: names, attempt: attempt + 1 });
        continue; // piscina has removed the dead worker and started another
      }
      if (answer.kind === 'fatal') throw fatalError(answer);
      return answer;
    }
  }
}

/**
 * Loads the weights once (on the main thread's active backend), copies them into one
 * SharedArrayBuffer and starts a piscina pool of worker threads that each build the model on
 * their own backend (wasm by default, with `threadsPerWorker` threads) from that memory. The
 * split of the cores is {@link chooseSplit}'s: workers × threads ≤ cores. Resolves when every
 * worker has the model. Node only.
 *
 * @example
 * ```ts
 * const pool = await createPredictPool({ weights: 'vit_tiny_patch16_224.safetensors', workers: 'auto' });
 * pool.split;                                 // { workers: 2, threadsPerWorker: 1, reason: '…' }
 * const [r] = await pool.classify('cat.jpg');
 * await pool.close();
 * ```
 */
export async function createPredictPool(options: PredictPoolOptions): Promise<PredictPool> {
  const backend = options.backend ?? 'wasm';
  if (backend !== 'wasm' && backend !== 'cpu') throw new ArgumentError(`predict pool: backend must be 'wasm' or 'cpu', got '${String(backend)}'`);
  const maxRetries = options.maxRetries ?? 2;
  if (!(Number.isInteger(maxRetries) && maxRetries >= 0)) throw new ArgumentError(`maxRetries must be a non-negative integer, got ${maxRetries}`);
  if (typeof process === 'undefined' || !process.versions?.node) throw new TfjsVitError('NODE_ONLY', 'predict pool: worker threads need Node (in a browser, run the classifier in a Web Worker)');
  const os = await importNode<typeof import('node:os')>('node:os');
  const cores = options.cores ?? (typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length);
  const request = { cores, images: options.images, workers: options.workers, threadsPerWorker: options.threadsPerWorker };
  chooseSplit(request); // a split that cannot be is refused before any weights are read
  const filename = await workerFile(options.workerUrl);

  const { testCrash, workers: _w, threadsPerWorker: _t, cores: _c, images: _i, maxRetries: _m, onWorkerCrash, workerUrl: _u, backend: _b, ...load } = options;
  const clf = await createClassifier({ ...load, runtime: 'tfjs' });
  // the split again with the model's width: 'auto' threads only models wide enough to gain from it
  const split: PoolSplit = chooseSplit({ ...request, embedDim: clf.model.embedDim });
  if (backend === 'cpu' && split.threadsPerWorker > 1) split.threadsPerWorker = 1; // the cpu backend has one thread
  let config: VisionTransformerOptions;
  let weights: PredictWorkerData['weights'];
  try {
    config = configOf(clf.model);
    try {
      structuredClone(config);
    } catch (e) {
      throw new ArgumentError(`predict pool: this model's config cannot be sent to a worker (parts given as functions or classes): ${(e as Error).message}`);
    }
    weights = shareWeights(clf.model);
  } finally {
    if (clf.loaded.format !== 'module') clf.model.dispose(); // the workers have their copies; a model the caller passed stays theirs
  }
  const workerData: PredictWorkerData = {
    config, weights, dataConfig: clf.dataConfig, exifOrientation: options.exifOrientation ?? false, backend, threads: split.threadsPerWorker,
    ...(testCrash ? { crash: { counter: new Int32Array(new SharedArrayBuffer(4)).fill(testCrash.batches), mode: testCrash.mode } } : {}),
  };
  const mod = (await importPackage('piscina')) as { Piscina?: typeof Piscina; default?: typeof Piscina };
  const PiscinaClass = (mod.Piscina ?? mod.default) as typeof Piscina;
  const pool = new PiscinaClass<PredictTask, PredictAnswer>({
    filename, workerData, minThreads: split.workers, maxThreads: split.workers, concurrentTasksPerWorker: 1,
    idleTimeout: 2 ** 31 - 1, atomics: 'disabled',
  });
  pool.on('error', () => {}); // a worker dying between tasks: piscina replaces it; tasks that were running reject and are retried
  const p = new PredictPool(pool, split, clf.modelName, clf.dataConfig, clf.labels, clf.numClasses, clf.notes, maxRetries, onWorkerCrash);
  try {
    // one init task per worker (all at once, so each idle worker takes one): every worker loads now, errors surface here
    const inits = await Promise.all(Array.from({ length: split.workers }, () => p.run({ kind: 'init' }, ['<init>'])));
    p.workerBackends = inits.map((a) => (a.kind === 'init' ? `${a.backend} (${a.threads} thread${a.threads === 1 ? '' : 's'})` : ''));
  } catch (e) {
    await p.close();
    throw e;
  }
  return p;
}

/**
 * Classifies `images` on a pool made for them ({@link createPredictPool}), then closes it:
 * results in input order, the same as `createClassifier(…).classify(images)` gives on one
 * thread. A worker that crashes is replaced and its batch retried; the promise rejects for a bad
 * image (`ImageDecodeError` naming it; with `continueOnError` it is reported instead).
 *
 * @example
 * ```ts
 * const results = await predictMany(['a.jpg', 'b.jpg', 'c.jpg'], { weights: 'vit_base_patch16_224.safetensors', workers: 2, topk: 3 });
 * results[0].top; // [{ index, label, prob }, …]
 * ```
 */
export async function predictMany(images: ImageInput | readonly ImageInput[], options: PredictPoolOptions & PoolClassifyOptions): Promise<PoolClassification[]> {
  const list: readonly ImageInput[] = Array.isArray(images) ? images : [images as ImageInput];
  const { topk, batchSize, continueOnError, onProgress, returnLogits, ...poolOptions } = options;
  if (!list.length) return [];
  const pool = await createPredictPool({ images: list.length, ...poolOptions });
  try {
    return await pool.classify(list, { topk, batchSize, continueOnError, onProgress, returnLogits });
  } finally {
    await pool.close();
  }
}
