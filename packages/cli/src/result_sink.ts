// Where the queue worker's results go: always a Redis hash (image → JSON, written once with HSETNX,
// so a job processed twice — after a crash or a stall — still leaves one result), and optionally a
// JSONL file with one line per image, kept exactly-once across crashes by a lock and a pending set.
import { appendFileSync, closeSync, existsSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { createHash, randomUUID } from 'node:crypto';
import type { RedisClient } from 'bullmq';
import { ArgumentError, TfjsVitError } from '@tfjs-vit/ops';
import type { Prediction } from '@tfjs-vit/pipeline';
import type { QueueLocation } from './queue_url';

/** One image's stored result. */
export interface StoredResult {
  image: string;
  jobId: string;
  top: Prediction[];
  /** The embedding (`--embeddings`), float32 values. */
  embedding?: number[];
  /** The worker that stored it (`host:pid`). */
  worker: string;
  finishedAt: number;
}

/** One image whose job failed for good (a poison image, or attempts exhausted). */
export interface StoredFailure {
  image: string;
  jobId: string;
  /** The error's message. */
  error: string;
  /** Its code (`IMAGE_DECODE`, …) when it has one. */
  code?: string;
  worker: string;
  finishedAt: number;
}

/** `--sink`: Redis only, or Redis plus a JSONL file. */
export type SinkSpec = { kind: 'redis' } | { kind: 'jsonl'; path: string };

/**
 * Parses `--sink redis` or `--sink jsonl:PATH`.
 *
 * @example
 * ```ts
 * parseSink('jsonl:out/results.jsonl'); // { kind: 'jsonl', path: '/abs/out/results.jsonl' }
 * ```
 */
export function parseSink(spec: string): SinkSpec {
  if (spec === 'redis') return { kind: 'redis' };
  const m = /^jsonl:(.+)$/.exec(spec);
  if (m) return { kind: 'jsonl', path: resolve(m[1]) };
  if (/^parquet:/.test(spec)) throw new ArgumentError(`--sink: parquet is not supported yet; use jsonl:PATH (or redis), got '${spec}'`);
  throw new ArgumentError(`--sink must be 'redis' or 'jsonl:PATH', got '${spec}'`);
}

// KEYS: results hash, pending set; ARGV: image, record, track ('1': add to pending when stored)
const STORE = `if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 1 then
  if ARGV[3] == '1' then redis.call('SADD', KEYS[2], ARGV[1]) end
  return 1
end
return 0`;
const LOCK = `return redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) and 1 or 0`;
const UNLOCK = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;
const SREM = `return redis.call('SREM', KEYS[1], ARGV[1])`;
const SISMEMBER = `return redis.call('SISMEMBER', KEYS[1], ARGV[1])`;

const LOCK_TTL_MS = 10_000;
const LOCK_WAIT_MS = 60_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The results of one queue: {@link ResultStore.putResult} stores an image's result once (the
 * first call wins; later ones return false), {@link ResultStore.putFailure} a final failure.
 * With a JSONL sink each stored result is also appended to the file, exactly once: the append
 * happens under a Redis lock and the image stays in a pending set until the line is written, so a
 * worker killed in between leaves it pending and whoever processes the job again (or the next
 * worker to open the same file) writes the line.
 *
 * @example
 * ```ts
 * const store = await ResultStore.open(await queue.client, parseQueueUrl(url), parseSink('jsonl:out.jsonl'));
 * await store.putResult({ image, jobId, top, worker: 'host:1', finishedAt: Date.now() }); // true
 * ```
 */
export class ResultStore {
  private readonly pendingKey: string;
  private readonly lockKey: string;

  private constructor(private readonly client: RedisClient, readonly location: QueueLocation, readonly sink: SinkSpec) {
    // one pending set and lock per file (host + path): another machine's file is its own
    const id = sink.kind === 'jsonl' ? createHash('sha1').update(`${hostname()}\0${sink.path}`).digest('hex').slice(0, 16) : 'none';
    this.pendingKey = `tfjs-vit:${location.name}:jsonl:${id}:pending`;
    this.lockKey = `tfjs-vit:${location.name}:jsonl:${id}:lock`;
  }

  /** A store on `client`; with a JSONL sink, first writes the lines a killed worker left pending. */
  static async open(client: RedisClient, location: QueueLocation, sink: SinkSpec = { kind: 'redis' }): Promise<ResultStore> {
    client.defineCommand('tfjsVitStore', { numberOfKeys: 2, lua: STORE });
    client.defineCommand('tfjsVitLock', { numberOfKeys: 1, lua: LOCK });
    client.defineCommand('tfjsVitUnlock', { numberOfKeys: 1, lua: UNLOCK });
    client.defineCommand('tfjsVitSrem', { numberOfKeys: 1, lua: SREM });
    client.defineCommand('tfjsVitSismember', { numberOfKeys: 1, lua: SISMEMBER });
    const store = new ResultStore(client, location, sink);
    if (sink.kind === 'jsonl') {
      await store.locked(async () => {
        for (const image of await client.smembers(store.pendingKey)) await store.finishPending(image);
      });
    }
    return store;
  }

  /** Stores `r` unless the image has a result already; resolves to whether this call stored it. */
  async putResult(r: StoredResult): Promise<boolean> {
    const json = JSON.stringify(r);
    if (this.sink.kind === 'redis') return (await this.client.runCommand('tfjsVitStore', [this.location.resultsKey, this.pendingKey, r.image, json, '0'])) === 1;
    const path = this.sink.path;
    return this.locked(async () => {
      const stored = (await this.client.runCommand('tfjsVitStore', [this.location.resultsKey, this.pendingKey, r.image, json, '1'])) === 1;
      if (stored) {
        appendLine(path, json);
        await this.client.runCommand('tfjsVitSrem', [this.pendingKey, r.image]);
      } else if ((await this.client.runCommand('tfjsVitSismember', [this.pendingKey, r.image])) === 1) {
        await this.finishPending(r.image); // stored by a worker that died before writing the line
      }
      return stored;
    });
  }

  /** Records that the image's job failed for good (once); resolves to whether this call stored it. */
  async putFailure(f: StoredFailure): Promise<boolean> {
    return (await this.client.runCommand('tfjsVitStore', [this.location.failuresKey, this.pendingKey, f.image, JSON.stringify(f), '0'])) === 1;
  }

  /** The stored result and failure of each image (null where there is none yet). */
  async get(images: readonly string[]): Promise<{ results: (StoredResult | null)[]; failures: (StoredFailure | null)[] }> {
    const results: (StoredResult | null)[] = [];
    const failures: (StoredFailure | null)[] = [];
    for (let i = 0; i < images.length; i += 1000) {
      const chunk = images.slice(i, i + 1000);
      if (!chunk.length) break;
      const [r, f] = await Promise.all([this.client.hmget(this.location.resultsKey, ...chunk), this.client.hmget(this.location.failuresKey, ...chunk)]);
      results.push(...r.map((s) => (s === null ? null : (JSON.parse(s) as StoredResult))));
      failures.push(...f.map((s) => (s === null ? null : (JSON.parse(s) as StoredFailure))));
    }
    return { results, failures };
  }

  /** Writes a pending image's line unless the file has it already (the writer died after the append). */
  private async finishPending(image: string): Promise<void> {
    if (this.sink.kind !== 'jsonl') return;
    const path = this.sink.path;
    const json = await this.client.hget(this.location.resultsKey, image);
    if (json !== null && !jsonlImages(path).has(image)) appendLine(path, json);
    await this.client.runCommand('tfjsVitSrem', [this.pendingKey, image]);
  }

  private async locked<T>(fn: () => Promise<T>): Promise<T> {
    const token = randomUUID();
    const start = Date.now();
    while ((await this.client.runCommand('tfjsVitLock', [this.lockKey, token, String(LOCK_TTL_MS)])) !== 1) {
      if (Date.now() - start > LOCK_WAIT_MS) throw new TfjsVitError('SINK_LOCK', `--sink: waited ${LOCK_WAIT_MS / 1000} s for the lock of ${this.sink.kind === 'jsonl' ? this.sink.path : 'the sink'} (${this.lockKey})`);
      await sleep(5 + Math.random() * 10);
    }
    try {
      return await fn();
    } finally {
      await this.client.runCommand('tfjsVitUnlock', [this.lockKey, token]);
    }
  }
}

/** Appends one line in one write, after a newline if a killed writer left the last line torn. */
function appendLine(path: string, json: string): void {
  let sep = '';
  if (existsSync(path)) {
    const fd = openSync(path, 'r');
    try {
      const size = fstatSync(fd).size;
      const last = Buffer.alloc(1);
      if (size > 0 && readSync(fd, last, 0, 1, size - 1) === 1 && last[0] !== 0x0a) sep = '\n';
    } finally {
      closeSync(fd);
    }
  }
  appendFileSync(path, `${sep}${json}\n`);
}

/** The images a JSONL results file has lines for (unparseable lines are skipped). */
export function jsonlImages(path: string): Set<string> {
  const out = new Set<string>();
  if (!existsSync(path)) return out;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line) continue;
    try {
      const image = (JSON.parse(line) as { image?: unknown }).image;
      if (typeof image === 'string') out.add(image);
    } catch {
      // a torn last line of a killed writer: its image is still pending and gets written again
    }
  }
  return out;
}
