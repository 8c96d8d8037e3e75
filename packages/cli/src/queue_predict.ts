// `tfjs-vit predict --queue redis://HOST:PORT/NAME <images...>`: one BullMQ job per image for the
// `tfjs-vit worker`s to process, then (unless --no-wait) a progress bar until every image has a
// stored result or a failure, and the results printed as `predict` prints them.
import type { Command } from 'commander';
import type { ImageClassification } from '@tfjs-vit/pipeline';
import type { CliContext } from './context';
import { expandImages } from './image_inputs';
import { int } from './options';
import { classificationsJson, errorLine, formatClassifications } from './output';
import { createProgress } from './progress';
import { canonicalImage, jobIdOf, parseQueueUrl } from './queue_url';
import { ResultStore, type StoredFailure, type StoredResult } from './result_sink';

/** Options of {@link runQueuePredict}. */
export interface QueuePredictOptions {
  queue: string;
  /** Wait for the results (default true; `--no-wait` only enqueues). */
  wait?: boolean;
  /** Tries per job before it fails (default 3). A poison image fails on its first. */
  attempts?: number;
  /** First retry delay in ms, doubled each retry (default 2000). */
  backoff?: number;
  json?: boolean;
  plain?: boolean;
  /** ms between polls of the results while waiting (default 500). */
  pollMs?: number;
  /** Ignored with a note: the workers classify with the model they were started with. */
  weights?: string;
}

const isUrl = (s: string) => /^https?:\/\//i.test(s);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const PENDING = ['waiting', 'active', 'delayed', 'prioritized', 'paused', 'waiting-children'] as const;

/** An Error with the stored failure's message and code, so `errorLine` prints it as the worker saw it. */
function failureError(f: Pick<StoredFailure, 'error' | 'code'>): Error {
  return Object.assign(new Error(f.error), f.code ? { code: f.code } : {});
}

/**
 * Enqueues one job per image (files, folders, globs or http(s) URLs; paths are made absolute) on
 * the queue at `o.queue`, with `attempts` tries and exponential backoff. Images that already have
 * a stored result are not enqueued again, and an image whose job is still queued is not added
 * twice (its job id is a hash of the path). Unless `wait` is false, waits until every image has a
 * result or a failure and prints them; failures set exit code 2. Resolves to the results, or null
 * with `--no-wait`.
 *
 * @example
 * ```ts
 * await runQueuePredict(['photos/'], { queue: 'redis://127.0.0.1:6379/photos', json: true }, ctx);
 * ```
 */
export async function runQueuePredict(images: readonly string[], o: QueuePredictOptions, ctx: CliContext): Promise<ImageClassification[] | null> {
  const loc = parseQueueUrl(o.queue);
  const list = [...new Set(images.flatMap((a) => (isUrl(a) ? [a] : expandImages([a]))).map(canonicalImage))];
  const { Queue } = await import('bullmq');
  const queue = new Queue<{ image: string }>(loc.name, { connection: loc.connection });
  try {
    const store = await ResultStore.open(await queue.client, loc);
    const before = await store.get(list);
    const todo = list.filter((_, i) => !before.results[i]);
    const opts = { attempts: o.attempts ?? 3, backoff: { type: 'exponential', delay: o.backoff ?? 2000 } };
    for (let i = 0; i < todo.length; i += 500) {
      await queue.addBulk(todo.slice(i, i + 500).map((image) => ({ name: 'classify', data: { image }, opts: { ...opts, jobId: jobIdOf(image) } })));
    }
    ctx.info(`queue ${loc.display}: enqueued ${todo.length} image${todo.length === 1 ? '' : 's'}${todo.length < list.length ? ` (${list.length - todo.length} already have results)` : ''}`);
    if (o.weights !== undefined) ctx.info(`note: --weights is not used with --queue: the workers classify with the model they were started with`);
    if (!(await queue.getWorkers()).length) ctx.info(`note: no worker is on this queue yet; start some with: tfjs-vit worker --queue ${loc.display} --weights …`);
    if (o.wait === false) {
      ctx.out(`enqueued ${todo.length} of ${list.length} images on ${loc.display}`);
      return null;
    }

    const bar = createProgress(`queue ${loc.name}`, list.length, { unit: 'items', plain: o.plain });
    let results: (StoredResult | null)[] = before.results;
    let failures: (StoredFailure | null)[] = before.failures;
    const lost = new Map<number, Error>();
    for (let poll = 0; ; poll++) {
      ({ results, failures } = await store.get(list));
      const missing = list.flatMap((_, i) => (results[i] || failures[i] ? [] : [i]));
      bar.update(list.length - missing.length);
      if (!missing.length) break;
      // a job can end without a stored record (it stalled too often, or was removed): once nothing
      // is pending, ask BullMQ what became of the rest rather than wait forever
      if (poll % 10 === 9) {
        const counts = await queue.getJobCounts(...PENDING);
        if (PENDING.every((s) => !counts[s])) {
          ({ results, failures } = await store.get(list));
          for (const i of missing) {
            if (results[i] || failures[i]) continue;
            const job = await queue.getJob(jobIdOf(list[i]));
            const state = job ? await job.getState() : 'missing';
            lost.set(i, failureError({
              error: state === 'failed' ? `${list[i]}: ${job!.failedReason}` : `${list[i]}: the job ended ${state} without a stored result`,
              code: 'QUEUE_JOB',
            }));
          }
          break;
        }
      }
      await sleep(o.pollMs ?? 500);
    }
    bar.finish();
    const out: ImageClassification[] = list.map((image, i) => {
      const r = results[i];
      if (r) return { image, top: r.top };
      const f = failures[i];
      return { image, error: f ? failureError(f) : lost.get(i)! };
    });
    const failed = out.filter((r) => r.error);
    for (const f of failed) ctx.err(errorLine(f.error));
    ctx.out(o.json ? classificationsJson(out) : formatClassifications(out));
    if (failed.length) {
      ctx.err(`${failed.length} of ${out.length} image${out.length === 1 ? '' : 's'} failed`);
      ctx.exitCode = 2;
    }
    return out;
  } finally {
    await queue.close();
  }
}

/**
 * Adds `--queue` and its options to `predict`, and lets `--weights` be left out with `--queue`
 * (the workers load the model). Call after the other options are added.
 */
export function queuePredictOptions(cmd: Command): Command {
  const weights = cmd.options.find((opt) => opt.long === '--weights');
  if (weights) weights.mandatory = false;
  return cmd
    .option('-q, --queue <url>', 'enqueue the images on a Redis (BullMQ) queue, redis://HOST:PORT/NAME, for `tfjs-vit worker`s, and wait for their results')
    .option('--no-wait', 'with --queue: enqueue and exit')
    .option('--attempts <n>', 'with --queue: tries per job (retries back off exponentially; an undecodable image is not retried)', int('--attempts', 1), 3)
    .option('--backoff <ms>', 'with --queue: delay before the first retry, doubled each time', int('--backoff', 0), 2000)
    .hook('preAction', (c) => {
      if (weights && !c.opts().queue && c.opts().weights === undefined) {
        c.error(`error: required option '${weights.flags}' not specified`, { code: 'commander.missingMandatoryOptionValue' }); // commander's own message
      }
    });
}
