// `tfjs-vit worker --queue redis://HOST:PORT/NAME --weights …`: a BullMQ worker that classifies the
// images `predict --queue` enqueued, in batches, and stores one result per image (result_sink.ts).
import { hostname } from 'node:os';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { ArgumentError } from '@tfjs-vit/ops';
import type { Job, Worker as BullWorker } from 'bullmq';
import type { EmbeddingPool, Runtime } from '@tfjs-vit/pipeline';
import { describeBackend, useBackend } from './backend';
import { createBatcher } from './batcher';
import { createBatchClassifier, type BatchClassifier, type BatchItem } from './classify_batch';
import type { CliContext } from './context';
import { commonOptions, dataConfigOf, examples, imageModelOptions, int, workersOption } from './options';
import { errorLine } from './output';
import { parseQueueUrl } from './queue_url';
import { parseSink, ResultStore } from './result_sink';

/** What a job carries: the image (an absolute path or a URL). */
export interface ImageJobData {
  image: string;
}

/** Options of {@link runWorker} (the command's flags). */
export interface WorkerCommandOptions {
  queue: string;
  weights: string;
  allowNonFinite?: boolean;
  model?: string;
  numHeads?: number;
  labels?: string;
  topk?: number;
  runtime?: Runtime;
  threads?: number;
  batchSize?: number;
  /** Jobs taken at a time (default: the batch size, so a batch can fill). */
  concurrency?: number;
  /** `redis` (default) or `jsonl:PATH`. */
  sink?: string;
  /** Store an embedding per image too: true = 'prelogits', or the pooling. */
  embeddings?: boolean | EmbeddingPool;
  normalize?: boolean;
  /** ms between BullMQ's checks for jobs whose worker died (default 30000). */
  stalledInterval?: number;
  /** ms a job's lock lasts without renewal (default 30000): a dead worker's job is recovered after this. */
  lockDuration?: number;
  /** Times a job may be recovered from a dead worker before it fails (default 2). */
  maxStalled?: number;
  /** Classify on a pool of worker threads (`--workers N|auto`, @tfjs-vit/pipeline's createPredictPool). */
  workers?: number | 'auto';
  /** Exit once the queue has nothing waiting, delayed or active. */
  exitWhenDrained?: boolean;
  backend?: string;
  wasmThreads?: number | 'auto';
  exifOrientation?: boolean;
  [dataConfig: string]: unknown;
}

/** What a worker did before it stopped. */
export interface WorkerSummary {
  /** Jobs that completed (a result was computed). */
  completed: number;
  /** Of those, the ones whose result this worker stored (the others had one already). */
  stored: number;
  /** Job attempts that failed (poison images fail once; others may be retried). */
  failed: number;
}

const POOLS = ['prelogits', 'cls', 'avg'] as const;

function embeddingsPool(v: WorkerCommandOptions['embeddings']): EmbeddingPool | null {
  if (v === undefined || v === false) return null;
  return v === true ? 'prelogits' : v;
}

/**
 * Runs a worker until SIGTERM / SIGINT (or `signal` aborts, or with `exitWhenDrained` the queue is
 * empty): takes jobs `concurrency` at a time, classifies them in batches of `batchSize`, stores
 * each result once. An image that does not decode fails its job with the decode error (not
 * retried); anything else is retried with the job's backoff. Stopping finishes the active jobs
 * first; a worker killed outright loses nothing: its jobs' locks expire and another worker's
 * stalled check puts them back in the queue.
 *
 * @example
 * ```ts
 * await runWorker({ queue: 'redis://127.0.0.1:6379/photos', weights: 'vit.safetensors', sink: 'jsonl:out.jsonl' }, ctx);
 * ```
 */
export async function runWorker(o: WorkerCommandOptions, ctx: CliContext, signal?: AbortSignal): Promise<WorkerSummary> {
  const loc = parseQueueUrl(o.queue);
  const sink = parseSink(o.sink ?? 'redis');
  const embedPool = embeddingsPool(o.embeddings);
  const batchSize = o.batchSize ?? 8;
  const base = {
    weights: o.weights, model: o.model, numHeads: o.numHeads, allowNonFinite: o.allowNonFinite, labels: o.labels,
    dataConfig: dataConfigOf(o), exifOrientation: o.exifOrientation, topk: o.topk, batchSize,
  };
  let model: BatchClassifier;
  if (o.workers !== undefined) {
    const name = o.backend ?? 'auto';
    if (!['auto', 'wasm', 'cpu'].includes(name)) throw new ArgumentError(`--workers runs on wasm (or cpu); got --backend ${name}`);
    await useBackend('cpu'); // this thread only loads the weights; the pool's workers run the model
    model = await createBatchClassifier({ ...base, runtime: o.runtime, embeddings: embedPool, workers: o.workers, threadsPerWorker: o.wasmThreads, poolBackend: name === 'cpu' ? 'cpu' : 'wasm' });
  } else {
    await useBackend(o.backend, o.wasmThreads);
    model = await createBatchClassifier({ ...base, runtime: o.runtime, threads: o.threads, embeddings: embedPool, normalize: o.normalize });
  }
  ctx.info(`backend: ${o.workers !== undefined ? `${model.info.where}; weights loaded on cpu` : describeBackend()}`);
  const { Queue, Worker, UnrecoverableError } = await import('bullmq');
  const queue = new Queue<ImageJobData>(loc.name, { connection: loc.connection });
  const id = `${hostname()}:${process.pid}`;
  const summary: WorkerSummary = { completed: 0, stored: 0, failed: 0 };
  let worker: BullWorker<ImageJobData> | null = null;
  const timers: ReturnType<typeof setInterval>[] = [];
  try {
    const store = await ResultStore.open(await queue.client, loc, sink);
    const clf = model.info;
    ctx.info(`model: ${clf.modelName ?? 'custom architecture'} (${clf.numClasses} classes${clf.labels ? '' : ', no labels: class indices'}); results: redis ${loc.resultsKey}${sink.kind === 'jsonl' ? ` and ${sink.path}` : ''}`);
    for (const n of clf.notes) ctx.info(`note: ${n}`);
    const classifyOne = createBatcher<string, BatchItem>((images) => model.classifyBatch(images), { maxSize: batchSize });

    const processJob = async (job: Job<ImageJobData>) => {
      const image = job.data?.image;
      if (typeof image !== 'string' || !image) throw new UnrecoverableError(`job ${job.id}: data.image must be a path or URL, got ${JSON.stringify(job.data)}`);
      const r = await classifyOne(image);
      if (r.error) {
        const last = r.poison || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
        const code = (r.error as { code?: unknown }).code;
        if (last) await store.putFailure({ image, jobId: String(job.id), error: r.error.message, ...(typeof code === 'string' ? { code } : {}), worker: id, finishedAt: Date.now() });
        if (r.poison) throw new UnrecoverableError(errorLine(r.error));
        throw r.error;
      }
      const stored = await store.putResult({
        image, jobId: String(job.id), top: r.top!, ...(r.embedding ? { embedding: Array.from(r.embedding) } : {}), worker: id, finishedAt: Date.now(),
      });
      if (stored) summary.stored++;
      return { stored, worker: id };
    };

    worker = new Worker<ImageJobData>(loc.name, processJob, {
      connection: loc.connection,
      name: id,
      concurrency: o.concurrency ?? batchSize,
      stalledInterval: o.stalledInterval ?? 30_000,
      lockDuration: o.lockDuration ?? 30_000,
      maxStalledCount: o.maxStalled ?? 2,
      autorun: false,
    });
    worker.on('completed', () => summary.completed++);
    worker.on('failed', (job, e) => {
      summary.failed++;
      ctx.err(`${job?.data?.image ?? job?.id}: ${e.message}`);
    });
    worker.on('error', (e) => ctx.err(errorLine(e)));

    const done = new Promise<void>((resolve) => {
      let closing = false;
      const stop = (why: string, force = false) => {
        if (closing && !force) return;
        closing = true;
        ctx.info(`worker ${id}: ${why}, ${force ? 'stopping now' : 'finishing active jobs'}`);
        void worker!.close(force).then(resolve, resolve);
      };
      const onSignal = (sig: NodeJS.Signals) => stop(sig, closing); // a second signal does not wait
      process.on('SIGTERM', onSignal);
      process.on('SIGINT', onSignal);
      signal?.addEventListener('abort', () => stop('aborted'));
      if (o.exitWhenDrained) {
        timers.push(setInterval(() => {
          void queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'paused', 'waiting-children').then((c) => {
            if (Object.values(c).every((n) => n === 0)) stop('queue drained');
          }, () => {});
        }, 1000));
      }
      worker!.once('closed', () => {
        process.off('SIGTERM', onSignal);
        process.off('SIGINT', onSignal);
        resolve();
      });
    });
    let last = '';
    timers.push(setInterval(() => {
      const line = `worker ${id}: ${summary.completed} done (${summary.stored} stored), ${summary.failed} failed`;
      if (line !== last) ctx.info((last = line));
    }, 2000));
    void worker.run();
    ctx.info(`worker ${id}: waiting for jobs on ${loc.display} (batch ${batchSize}, concurrency ${o.concurrency ?? batchSize})`);
    await done;
    ctx.info(`worker ${id}: stopped: ${summary.completed} done (${summary.stored} stored), ${summary.failed} failed`);
    return summary;
  } finally {
    for (const t of timers) clearInterval(t);
    if (worker && !worker.closing) await worker.close(true);
    await queue.close();
    await model.dispose();
  }
}

function poolOption(v: string): EmbeddingPool {
  if (!(POOLS as readonly string[]).includes(v)) throw new InvalidArgumentError(`--embeddings must be one of ${POOLS.join(', ')}, got '${v}'`);
  return v as EmbeddingPool;
}

/** Registers `worker` on the program. */
export function workerCommand(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('worker')
    .description('process the images `predict --queue` enqueued on a Redis (BullMQ) queue; run one per machine or core')
    .requiredOption('-q, --queue <url>', 'the queue: redis://HOST:PORT/NAME');
  imageModelOptions(cmd)
    .option('-k, --topk <k>', 'classes per image', int('--topk', 1), 5)
    .option('--labels <file>', 'class names: one per line, a JSON list or an id2label object (ImageNet-1k is built in)')
    .option('-b, --batch-size <n>', 'images per forward pass', int('--batch-size', 1), 8)
    .option('-c, --concurrency <n>', 'jobs taken at a time (default: the batch size)', int('--concurrency', 1))
    .option('--sink <where>', "results: 'redis' (a hash per queue) or 'jsonl:PATH' (Redis and one line per image in PATH)", 'redis')
    .option('--embeddings [pool]', 'store an embedding per image too: prelogits (default), cls or avg', poolOption)
    .option('--normalize', 'L2-normalise the embeddings')
    .addOption(new Option('--runtime <runtime>', 'tfjs, or onnxruntime (onnxruntime-node on our ONNX export)').choices(['tfjs', 'onnxruntime']).default('tfjs'))
    .option('--threads <n>', 'onnxruntime threads', int('--threads', 1))
    .option('--lock-duration <ms>', "a job's lock: a dead worker's jobs go back to the queue after it", int('--lock-duration', 100), 30_000)
    .option('--stalled-interval <ms>', 'how often to look for jobs of dead workers', int('--stalled-interval', 100), 30_000)
    .option('--max-stalled <n>', 'times a job may be recovered from a dead worker before it fails', int('--max-stalled', 0), 2)
    .option('--workers <n|auto>', 'classify on a pool of worker threads, each with its own wasm backend (auto: split the cores)', workersOption)
    .option('--exit-when-drained', 'exit once nothing is waiting, delayed or active (batch runs)');
  commonOptions(cmd)
    .addHelpText('after', examples(
      'tfjs-vit worker --queue redis://10.0.0.5:6379/photos --weights vit_base_patch16_224.augreg2_in21k_ft_in1k.safetensors',
      'tfjs-vit worker --queue redis://127.0.0.1:6379/shop --weights model.pth --sink jsonl:results.jsonl --embeddings cls --normalize',
    ))
    .action(async (o: WorkerCommandOptions) => {
      await runWorker(o, ctx);
    });
}
