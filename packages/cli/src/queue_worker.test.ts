// Batch inference over a real Redis: `predict --queue` enqueues a few hundred generated images and
// two `tfjs-vit worker` processes classify them; one is SIGKILLed mid-run. Every image must end with
// exactly one result (in Redis and in the shared JSONL file), the poison images fail their jobs
// (once, with the decode error) and no job is lost.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { Queue } from 'bullmq';
import { saveSafetensors } from '@tfjs-vit/convert';
import { createViT } from '@tfjs-vit/models';
import { createClassifier } from '@tfjs-vit/pipeline';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobIdOf, parseQueueUrl } from './queue_url';
import { REDIS_SERVER, startRedis, type TestRedis } from './redis_server.testutil';
import { jsonlImages, ResultStore, type StoredResult } from './result_sink';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const pkg = join(root, 'packages/cli');
const N_IMAGES = 300;
const POISON = ['poison_garbage.png', 'poison_text.jpg', 'poison_truncated.png'];

/** `tfjs-vit …args` from source through vite-node, as a child process we can signal. */
function spawnCli(args: string[]): { child: ChildProcess; done: Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>; stderr: () => string } {
  const child = spawn(process.execPath, [join(root, 'node_modules/vite-node/vite-node.mjs'), '-c', join(pkg, 'vitest.config.ts'), join(pkg, 'src/cli.ts'), ...args], { cwd: root });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const done = new Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, done, stderr: () => stderr };
}

async function until(what: string, cond: () => boolean | Promise<boolean>, timeoutMs: number, detail = () => ''): Promise<void> {
  const t = Date.now();
  while (!(await cond())) {
    if (Date.now() - t > timeoutMs) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}\n${detail()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

let redis: TestRedis | null = null;
const children: ChildProcess[] = [];
const dir = mkdtempSync(join(tmpdir(), 'tfjs-vit-queue-'));
const imagesDir = join(dir, 'images');
const weights = join(dir, 'tiny.safetensors');

const hasRedis = existsSync(REDIS_SERVER);
if (!hasRedis) console.warn(`queue_worker.test: skipped: ${REDIS_SERVER} is missing (apt-get install redis-server; .ci/run does it as root)`);

describe.skipIf(!hasRedis)('predict --queue + two workers on a real Redis', () => {
  beforeAll(async () => {
    redis = await startRedis();
    tf.enableProdMode();
    await tf.setBackend('cpu');
    const model = createViT({ imgSize: 32, patchSize: 8, embedDim: 64, depth: 2, numHeads: 2, numClasses: 10 }).eval();
    await saveSafetensors(model, weights, { metadata: { format: 'pt' } });
    model.dispose();
    mkdirSync(imagesDir);
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let i = 0; i < N_IMAGES; i++) {
      const [w, h] = [96 + (i % 5) * 16, 96 + (i % 3) * 16];
      const px = Buffer.alloc(w * h * 3);
      const base = [rnd() * 255, rnd() * 255, rnd() * 255];
      for (let j = 0; j < px.length; j++) px[j] = Math.max(0, Math.min(255, base[j % 3] + (rnd() - 0.5) * 120));
      await sharp(px, { raw: { width: w, height: h, channels: 3 } }).png().toFile(join(imagesDir, `img_${String(i).padStart(3, '0')}.png`));
    }
    writeFileSync(join(imagesDir, POISON[0]), Buffer.from(Array.from({ length: 500 }, (_, i) => (i * 37) % 256)));
    writeFileSync(join(imagesDir, POISON[1]), 'this is not a JPEG\n');
    const good = readFileSync(join(imagesDir, 'img_000.png'));
    writeFileSync(join(imagesDir, POISON[2]), good.subarray(0, Math.floor(good.length / 3)));
  });

  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await redis?.stop();
  });

  it('every image ends with exactly one stored result after a worker is SIGKILLed mid-run; poison images fail once; no job is lost', async () => {
    if (!redis) throw new Error('redis-server did not start');
    const url = redis.url('photos');
    const jsonl = join(dir, 'results.jsonl');
    const workerArgs = ['worker', '--queue', url, '--weights', weights, '--backend', 'cpu', '--topk', '3', '--batch-size', '4',
      '--sink', `jsonl:${jsonl}`, '--embeddings', 'cls', '--lock-duration', '2000', '--stalled-interval', '1000'];
    const a = spawnCli(workerArgs);
    const b = spawnCli(workerArgs);
    children.push(a.child, b.child);
    await until('both workers to be ready', () => /waiting for jobs/.test(a.stderr()) && /waiting for jobs/.test(b.stderr()), 60_000, () => a.stderr() + b.stderr());

    const loc = parseQueueUrl(url);
    const queue = new Queue(loc.name, { connection: loc.connection });
    try {
      const store = await ResultStore.open(await queue.client, loc);
      const all = [...Array.from({ length: N_IMAGES }, (_, i) => join(imagesDir, `img_${String(i).padStart(3, '0')}.png`)), ...POISON.map((p) => join(imagesDir, p))].sort();
      const stored = async () => (await store.get(all)).results.filter(Boolean).length;

      const predict = spawnCli(['predict', '--queue', url, imagesDir, '--json', '--backoff', '200']);
      children.push(predict.child);
      await until('some results to be stored', async () => (await stored()) >= 40, 60_000, () => predict.stderr() + a.stderr());
      const atKill = await stored();
      a.child.kill('SIGKILL');
      const killed = await a.done;
      expect(killed.signal).toBe('SIGKILL');
      expect(atKill).toBeLessThan(N_IMAGES - 20); // killed mid-run, with work left

      const r = await predict.done;
      expect(r.code, r.stderr).toBe(2); // the poison images failed
      const rows = JSON.parse(r.stdout) as { image: string; top?: { index: number; prob: number }[]; error?: string }[];
      expect(rows.map((x) => x.image)).toEqual(all);
      for (const row of rows) {
        if (POISON.some((p) => row.image.endsWith(p))) expect(row.error, row.image).toMatch(/cannot decode image/);
        else expect(row.top, row.image).toHaveLength(3);
      }
      expect(r.stderr).toMatch(/3 of 303 images failed/);

      // Redis: one result per good image, one failure per poison image, nothing else
      const { results, failures } = await store.get(all);
      all.forEach((image, i) => {
        const poison = POISON.some((p) => image.endsWith(p));
        expect(!!results[i], image).toBe(!poison);
        expect(!!failures[i], image).toBe(poison);
      });
      // the JSONL file both workers appended to: exactly one line per good image
      const lines = readFileSync(jsonl, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as StoredResult);
      expect(lines).toHaveLength(N_IMAGES);
      expect(new Set(lines.map((l) => l.image)).size).toBe(N_IMAGES);
      expect(jsonlImages(jsonl)).toEqual(new Set(all.filter((x) => !POISON.some((p) => x.endsWith(p)))));
      expect(lines[0].embedding).toHaveLength(64);

      // the queue: completed + failed = enqueued, nothing left anywhere, poison jobs tried once
      const counts = await queue.getJobCounts('completed', 'failed', 'waiting', 'active', 'delayed', 'prioritized', 'paused');
      expect(counts).toEqual({ completed: N_IMAGES, failed: POISON.length, waiting: 0, active: 0, delayed: 0, prioritized: 0, paused: 0 });
      for (const p of POISON) {
        const job = (await queue.getJob(jobIdOf(join(imagesDir, p))))!;
        expect(job.attemptsMade, p).toBe(1);
        expect(job.failedReason).toMatch(/IMAGE_DECODE: .*cannot decode image/);
      }
      // the kill hit jobs in flight: some were recovered from the dead worker and finished by the other
      const completed = await queue.getCompleted(0, N_IMAGES);
      const byWorker = new Map<string, number>();
      for (const j of completed) byWorker.set(j.returnvalue.worker, (byWorker.get(j.returnvalue.worker) ?? 0) + 1);
      expect(byWorker.size).toBe(2);
      expect(completed.some((j) => j.stalledCounter > 0), 'no job was recovered from the killed worker').toBe(true);

      // the stored classes are what the pipeline computes for those images
      const clf = await createClassifier({ weights });
      const sample = all.filter((_, i) => results[i]).slice(0, 6);
      const want = await clf.classify(sample, { topk: 3 });
      await clf.dispose();
      const got = (await store.get(sample)).results;
      want.forEach((w, i) => {
        expect(got[i]!.top.map((p) => p.index), sample[i]).toEqual(w.top!.map((p) => p.index));
        got[i]!.top.forEach((p, j) => expect(Math.abs(p.prob - w.top![j].prob)).toBeLessThan(1e-5));
      });

      // enqueueing again is a no-op: results are reused, nothing is processed twice
      const again = spawnCli(['predict', '--queue', url, imagesDir, '--json']);
      const r2 = await again.done;
      expect(r2.code, r2.stderr).toBe(2);
      expect(r2.stderr).toMatch(/enqueued 3 images \(300 already have results\)/);
      expect(JSON.parse(r2.stdout)).toEqual(rows);
      expect((await queue.getJobCounts('completed')).completed).toBe(N_IMAGES);

      // SIGTERM: the surviving worker finishes and exits cleanly
      b.child.kill('SIGTERM');
      const rb = await b.done;
      expect(rb.code, rb.stderr).toBe(0);
      expect(rb.stderr).toMatch(/SIGTERM, finishing active jobs/);
      expect(rb.stderr).toMatch(/stopped: \d+ done/);
    } finally {
      await queue.close();
    }
  });
  it('worker --workers 2 (the pool of worker threads) --exit-when-drained: results equal the pipeline; a flaky URL is retried with backoff, a dead one fails after its attempts, a poison file at once', async () => {
    if (!redis) throw new Error('redis-server did not start');
    const url = redis.url('pooled');
    const images = Array.from({ length: 24 }, (_, i) => join(imagesDir, `img_${String(i).padStart(3, '0')}.png`));
    const poison = join(imagesDir, POISON[0]);
    const png = readFileSync(images[0]);
    const hits = { flaky: [] as number[], gone: 0 };
    const http = createServer((req, res) => {
      if (req.url === '/flaky.png' && hits.flaky.push(Date.now()) > 2) res.end(png);
      else if (req.url === '/flaky.png') res.writeHead(503).end();
      else (hits.gone++, res.writeHead(404).end());
    });
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(http.address() as { port: number }).port}`;
    const urls = [`${base}/flaky.png`, `${base}/gone.png`];
    try {
      const enq = spawnCli(['predict', '--queue', url, ...images, poison, ...urls, '--no-wait', '--attempts', '3', '--backoff', '300', '--weights', 'unused.pth']);
      const e = await enq.done;
      expect(e.code, e.stderr).toBe(0);
      expect(e.stdout).toMatch(/enqueued 27 of 27 images on redis:\/\/127\.0\.0\.1:\d+\/pooled/);
      expect(e.stderr).toMatch(/note: no worker is on this queue yet/);
      expect(e.stderr).toMatch(/note: --weights is not used with --queue/);
      const w = spawnCli(['worker', '--queue', url, '--weights', weights, '--backend', 'cpu', '--workers', '2', '--topk', '2', '--exit-when-drained']);
      children.push(w.child);
      const r = await w.done;
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/backend: 2 workers × cpu/);
      expect(r.stderr).toMatch(/queue drained/);
      expect(r.stderr).toMatch(/poison_garbage\.png: cannot decode image/);
      const loc = parseQueueUrl(url);
      const queue = new Queue(loc.name, { connection: loc.connection });
      try {
        const store = await ResultStore.open(await queue.client, loc);
        const { results, failures } = await store.get([...images, poison, ...urls]);
        expect(results.slice(0, 24).every(Boolean)).toBe(true);
        expect(results[24]).toBeNull();
        expect(failures[24]!.code).toBe('IMAGE_DECODE');
        // the flaky URL: two 503s, then the image; backoff 300 ms then 600 ms between the tries
        expect(results[25]!.top).toEqual(results[0]!.top);
        expect(hits.flaky).toHaveLength(3);
        expect(hits.flaky[1] - hits.flaky[0]).toBeGreaterThanOrEqual(250);
        expect(hits.flaky[2] - hits.flaky[1]).toBeGreaterThanOrEqual(550);
        expect((await queue.getJob(jobIdOf(urls[0])))!.attemptsMade).toBe(3); // BullMQ counts the try that succeeded too
        // the dead URL: three tries, then a failure naming it
        expect(hits.gone).toBe(3);
        expect(results[26]).toBeNull();
        expect(failures[26]).toMatchObject({ code: 'IMAGE_FETCH', error: `${urls[1]}: cannot fetch: HTTP 404` });
        expect((await queue.getJob(jobIdOf(urls[1])))!.attemptsMade).toBe(3);
        expect(await queue.getJobCounts('completed', 'failed')).toEqual({ completed: 25, failed: 2 });

        const clf = await createClassifier({ weights });
        const want = await clf.classify(images, { topk: 2 });
        await clf.dispose();
        want.forEach((x, i) => {
          expect(results[i]!.top.map((p) => p.index), images[i]).toEqual(x.top!.map((p) => p.index));
          results[i]!.top.forEach((p, j) => expect(Math.abs(p.prob - x.top![j].prob)).toBeLessThan(1e-4));
        });
      } finally {
        await queue.close();
      }
    } finally {
      http.close();
    }
  });
});
