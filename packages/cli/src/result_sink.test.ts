// ResultStore on a real Redis: one result per image whoever stores it, and a JSONL file that keeps
// exactly one line per image when a writer dies between the Redis write and the append.
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseQueueUrl } from './queue_url';
import { REDIS_SERVER, startRedis, type TestRedis } from './redis_server.testutil';
import { jsonlImages, parseSink, ResultStore, type StoredResult } from './result_sink';

const hasRedis = existsSync(REDIS_SERVER);
if (!hasRedis) console.warn(`result_sink.test: skipped: ${REDIS_SERVER} is missing (apt-get install redis-server; .ci/run does it as root)`);

const dir = mkdtempSync(join(tmpdir(), 'tfjs-vit-sink-'));
const result = (image: string, worker = 'w1'): StoredResult => ({ image, jobId: `job-${image}`, top: [{ index: 3, label: null, prob: 0.5 }], worker, finishedAt: 1 });

describe.skipIf(!hasRedis)('ResultStore (real Redis)', () => {
  let redis: TestRedis | null = null;
  let queue: Queue;
  beforeAll(async () => {
    redis = await startRedis();
    queue = new Queue('sink', { connection: parseQueueUrl(redis!.url('sink')).connection });
  });
  afterAll(async () => {
    await queue?.close();
    await redis?.stop();
  });

  it('redis sink: the first result of an image is kept, later ones are refused; failures are kept apart', async () => {
    const loc = parseQueueUrl(redis!.url('q1'));
    const store = await ResultStore.open(await queue.client, loc);
    expect(await store.putResult(result('/a.png', 'w1'))).toBe(true);
    expect(await store.putResult(result('/a.png', 'w2'))).toBe(false);
    expect(await store.putFailure({ image: '/bad.png', jobId: 'j', error: '/bad.png: cannot decode image', code: 'IMAGE_DECODE', worker: 'w1', finishedAt: 2 })).toBe(true);
    const { results, failures } = await store.get(['/a.png', '/bad.png', '/none.png']);
    expect(results.map((r) => r?.worker ?? null)).toEqual(['w1', null, null]);
    expect(failures.map((f) => f?.code ?? null)).toEqual([null, 'IMAGE_DECODE', null]);
  });

  it('jsonl sink: one line per image from concurrent writers; a line lost to a dead writer is written on retry or on the next open, never twice', async () => {
    const loc = parseQueueUrl(redis!.url('q2'));
    const path = join(dir, 'out', 'r.jsonl');
    // a writer that dies after Redis has the result but before the line is written: here the
    // append fails (no directory yet), which leaves the image pending just as a SIGKILL would
    const dying = await ResultStore.open(await queue.client, loc, parseSink(`jsonl:${path}`));
    await expect(dying.putResult(result('/lost-then-retried.png'))).rejects.toThrow(/ENOENT/);
    await expect(dying.putResult(result('/lost-then-reopened.png'))).rejects.toThrow(/ENOENT/);
    await expect(dying.putResult(result('/written-then-killed.png'))).rejects.toThrow(/ENOENT/);
    mkdirSync(join(dir, 'out'));
    // …and one whose line made it to the file just before the kill (so it is pending but written)
    appendFileSync(path, `${JSON.stringify(result('/written-then-killed.png'))}\n`);

    const a = await ResultStore.open(await queue.client, loc, parseSink(`jsonl:${path}`)); // writes pending lines not in the file
    const b = await ResultStore.open(await queue.client, loc, parseSink(`jsonl:${path}`));
    expect(jsonlImages(path)).toEqual(new Set(['/written-then-killed.png', '/lost-then-retried.png', '/lost-then-reopened.png']));
    // the retried job finds its result stored already: nothing new is written
    expect(await b.putResult(result('/lost-then-retried.png', 'w2'))).toBe(false);
    const images = Array.from({ length: 40 }, (_, i) => `/img_${i}.png`);
    const wins = await Promise.all(images.flatMap((im) => [a.putResult(result(im, 'a')), b.putResult(result(im, 'b'))]));
    expect(wins.filter(Boolean)).toHaveLength(40);
    const lines = readFileSync(path, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as StoredResult).image);
    expect(lines).toHaveLength(43);
    expect(new Set(lines).size).toBe(43);
  });

  it('jsonl sink: a torn last line is left alone and the next line starts on its own line', async () => {
    const loc = parseQueueUrl(redis!.url('q3'));
    const path = join(dir, 'torn.jsonl');
    writeFileSync(path, `${JSON.stringify(result('/ok.png'))}\n{"image":"/to`);
    const store = await ResultStore.open(await queue.client, loc, parseSink(`jsonl:${path}`));
    expect(await store.putResult(result('/next.png'))).toBe(true);
    expect(readFileSync(path, 'utf8').split('\n').at(-2)).toBe(JSON.stringify(result('/next.png')));
    expect(jsonlImages(path)).toEqual(new Set(['/ok.png', '/next.png']));
  });
});
