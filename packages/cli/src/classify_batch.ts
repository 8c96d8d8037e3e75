// One batch of the queue worker: image paths or URLs → top-k (and optionally an embedding) each,
// through @tfjs-vit/pipeline's classifier, or its pool of worker threads (`workers`). A failure
// is per image; only a broken model throws.
import { ArgumentError, TfjsVitError } from '@tfjs-vit/ops';
import {
  createClassifier, createPredictPool, type ClassifierOptions, type EmbeddingPool, type ImageClassification, type Prediction,
} from '@tfjs-vit/pipeline';

/** Options of {@link createBatchClassifier}: the classifier's, plus what each result holds. */
export interface BatchClassifierOptions extends ClassifierOptions {
  /** Classes per image (default 5). */
  topk?: number;
  /** Images per forward pass (default 8). */
  batchSize?: number;
  /** Also compute an embedding per image with this pooling (default: none). */
  embeddings?: EmbeddingPool | null;
  /** L2-normalise the embeddings. */
  normalize?: boolean;
  /** Classify on a pool of this many worker threads (`createPredictPool`; 'auto' splits the cores); default: this thread. */
  workers?: number | 'auto';
  /** With `workers`: wasm threads per worker. */
  threadsPerWorker?: number | 'auto';
  /** With `workers`: their backend (default 'wasm'). */
  poolBackend?: 'wasm' | 'cpu';
}

/** One image's outcome: its classes (and embedding), or the error that makes it a failure. */
export interface BatchItem {
  image: string;
  top?: Prediction[];
  embedding?: Float32Array;
  error?: Error;
  /** True when retrying cannot help (the bytes do not decode, the file does not exist). */
  poison?: boolean;
}

/** What the loaded model is, for the worker's log. */
export interface BatchModelInfo {
  modelName: string | null;
  numClasses: number;
  labels: readonly string[] | null;
  notes: readonly string[];
  /** Where it runs: `this thread`, or `2 workers × wasm (1 thread)`. */
  where: string;
}

/** A loaded model that classifies batches; `dispose()` when done. */
export interface BatchClassifier {
  readonly info: BatchModelInfo;
  classifyBatch(images: readonly string[]): Promise<BatchItem[]>;
  dispose(): Promise<void>;
}

const isUrl = (s: string) => /^https?:\/\//i.test(s);

/** An image URL that could not be fetched (retryable: the server may come back). */
export class ImageFetchError extends TfjsVitError {
  constructor(url: string, why: string, options?: { cause?: unknown }) {
    super('IMAGE_FETCH', `${url}: cannot fetch: ${why}`, options);
  }
}

async function fetchBytes(url: string): Promise<Uint8Array> {
  let res: Response;
  try {
    res = await fetch(url);
  } catch (e) {
    throw new ImageFetchError(url, (e as Error).message, { cause: e });
  }
  if (!res.ok) throw new ImageFetchError(url, `HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

/**
 * Loads the model once and returns `classifyBatch(images)`: one entry per image, in order, with
 * `top` (and `embedding`) or `error`. Decode failures (`IMAGE_DECODE`: corrupt bytes, a missing
 * file) are marked `poison`; a URL that cannot be fetched is not (a retry may succeed).
 *
 * @example
 * ```ts
 * const b = await createBatchClassifier({ weights: 'vit.safetensors', topk: 3, embeddings: 'cls' });
 * const [cat] = await b.classifyBatch(['/data/cat.jpg']);
 * await b.dispose();
 * ```
 */
export async function createBatchClassifier(o: BatchClassifierOptions): Promise<BatchClassifier> {
  const topk = o.topk ?? 5;
  const batchSize = o.batchSize ?? 8;
  let info: BatchModelInfo;
  let classify: (inputs: (string | Uint8Array)[]) => Promise<ImageClassification[]>;
  let embed: ((inputs: (string | Uint8Array)[]) => Promise<{ embedding?: Float32Array; error?: Error }[]>) | null = null;
  let dispose: () => Promise<void>;
  if (o.workers !== undefined) {
    if (o.embeddings) throw new ArgumentError('--embeddings runs on this thread: it cannot be combined with --workers (the pool classifies only)');
    if ((o.runtime ?? 'tfjs') !== 'tfjs') throw new ArgumentError('--workers runs tfjs workers; --runtime onnxruntime already uses every core (--threads)');
    const { runtime: _r, threads: _t, topk: _k, batchSize: _b, embeddings: _e, normalize: _n, poolBackend, ...load } = o;
    const pool = await createPredictPool({ ...load, backend: poolBackend ?? 'wasm' });
    info = { modelName: pool.modelName, numClasses: pool.numClasses, labels: pool.labels, notes: pool.notes, where: `${pool.workers} worker${pool.workers === 1 ? '' : 's'} × ${pool.workerBackends[0]}` };
    classify = (inputs) => pool.classify(inputs, { topk, batchSize, continueOnError: true });
    dispose = () => pool.close();
  } else {
    const clf = await createClassifier(o);
    info = { modelName: clf.modelName, numClasses: clf.numClasses, labels: clf.labels, notes: clf.notes, where: 'this thread' };
    classify = (inputs) => clf.classify(inputs, { topk, batchSize, continueOnError: true });
    const pool = o.embeddings;
    if (pool) embed = (inputs) => clf.embed(inputs, { pool, normalize: o.normalize, batchSize, continueOnError: true });
    dispose = () => clf.dispose();
  }
  return {
    info,
    async classifyBatch(images) {
      const out: BatchItem[] = images.map((image) => ({ image }));
      const bytes: (Uint8Array | undefined)[] = new Array(images.length);
      await Promise.all(images.map(async (image, i) => {
        if (!isUrl(image)) return;
        try {
          bytes[i] = await fetchBytes(image);
        } catch (e) {
          out[i].error = e as Error;
        }
      }));
      const at = out.flatMap((item, i) => (item.error ? [] : [i]));
      const inputs = at.map((i) => bytes[i] ?? images[i]);
      if (!inputs.length) return out;
      const classes = await classify(inputs);
      const vectors = embed ? await embed(inputs) : null;
      at.forEach((i, j) => {
        const c = classes[j];
        const error = c.error ?? vectors?.[j].error;
        if (error) {
          // bytes of a URL are named `<image j>` by the classifier: name the URL instead
          if (error.message.includes(`<image ${j}>`)) error.message = error.message.replace(`<image ${j}>`, images[i]);
          out[i].error = error;
          out[i].poison = (error as { code?: string }).code === 'IMAGE_DECODE';
        } else {
          out[i].top = c.top;
          if (vectors) out[i].embedding = vectors[j].embedding;
        }
      });
      return out;
    },
    dispose,
  };
}
