// Gathers single items (one BullMQ job each) into batches for one call: the queue worker takes
// `--concurrency` jobs at a time and each forward pass sees up to `--batch-size` of them.
import { ArgumentError } from '@tfjs-vit/ops';

/** Options of {@link createBatcher}. */
export interface BatcherOptions {
  /** Most items per call. */
  maxSize: number;
  /** How long the first item of a batch waits for more (default 20 ms). */
  maxWaitMs?: number;
}

/**
 * A function of one item that resolves to its output, running `run` on batches of the items
 * submitted together: one batch at a time (the work is CPU-bound), each started when `maxSize`
 * items are waiting or the oldest has waited `maxWaitMs`. `run` must return one output per item,
 * in order; if it throws, every item of that batch rejects with the error.
 *
 * @example
 * ```ts
 * const classifyOne = createBatcher((paths: string[]) => classifyBatch(paths), { maxSize: 8 });
 * const [a, b] = await Promise.all([classifyOne('a.jpg'), classifyOne('b.jpg')]); // one call
 * ```
 */
export function createBatcher<I, O>(run: (items: I[]) => Promise<O[]>, options: BatcherOptions): (item: I) => Promise<O> {
  const { maxSize } = options;
  const maxWaitMs = options.maxWaitMs ?? 20;
  if (!(Number.isInteger(maxSize) && maxSize > 0)) throw new ArgumentError(`batcher: maxSize must be a positive integer, got ${maxSize}`);
  const waiting: { item: I; resolve: (o: O) => void; reject: (e: unknown) => void }[] = [];
  let running = false;
  let timer: ReturnType<typeof setTimeout> | null = null;

  const pump = async () => {
    if (running || !waiting.length) return;
    if (timer) clearTimeout(timer);
    timer = null;
    running = true;
    const batch = waiting.splice(0, maxSize);
    try {
      const out = await run(batch.map((b) => b.item));
      if (out.length !== batch.length) throw new ArgumentError(`batcher: run returned ${out.length} outputs for ${batch.length} items`);
      batch.forEach((b, i) => b.resolve(out[i]));
    } catch (e) {
      for (const b of batch) b.reject(e);
    } finally {
      running = false;
      schedule();
    }
  };
  const schedule = () => {
    if (running || !waiting.length) return;
    if (waiting.length >= maxSize) void pump();
    else if (!timer) timer = setTimeout(() => void pump(), maxWaitMs);
  };
  return (item) => new Promise<O>((resolve, reject) => {
    waiting.push({ item, resolve, reject });
    schedule();
  });
}
