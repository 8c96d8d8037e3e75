// loadModel in a real browser: headless Debian Chromium fetches model.json and the shards from a
// local http server and runs the model; its logits must equal Node's. Skipped without Chromium.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { createViT } from '@tfjs-vit/models';
import { hasChromium, launchChromium, maxAbsDiff, serveStatic, type StaticServer } from '@tfjs-vit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel } from './load_model';
import { saveTfjsModel } from './tfjs_format_save';

const root = fileURLToPath(new URL('../../../', import.meta.url));

describe.skipIf(!hasChromium('loadModel in headless Chromium'))('loadModel in headless Chromium (fetch)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tfjs-vit-browser-'));
  let server: StaticServer;
  let want: Float32Array;
  const shardRequests = () => server.requests.filter((r) => r.endsWith('.bin')).length;

  beforeAll(async () => {
    await tf.setBackend('cpu');
    const model = createViT({ imgSize: 32, patchSize: 8, embedDim: 32, depth: 2, numHeads: 4, numClasses: 5 }).eval();
    await saveTfjsModel(model, join(dir, 'web'), { shardBytes: 8192, dtype: 'float16' });
    model.dispose();
    const inNode = await loadModel(join(dir, 'web')); // the same float16 files, read with fs
    const y = inNode.forward(tf.ones([1, 32, 32, 3]));
    want = Float32Array.from(y.dataSync() as Float32Array);
    tf.dispose(y);
    inNode.dispose();
    // The page's script: tfjs-core + cpu backend + our loader, bundled from source.
    const esbuild = await import('esbuild');
    const alias = Object.fromEntries(['ops', 'layers', 'models', 'convert'].map((p) => [`@tfjs-vit/${p}`, join(root, `packages/${p}/src/index.ts`)]));
    writeEntry(join(dir, 'entry.ts'));
    await esbuild.build({
      entryPoints: [join(dir, 'entry.ts')], bundle: true, format: 'esm', platform: 'browser', outfile: join(dir, 'bundle.js'),
      alias: { ...alias, '@tfjs-vit/convert/load_model': join(root, 'packages/convert/src/load_model.ts') },
      external: ['node:*'], nodePaths: [join(root, 'node_modules')], logLevel: 'error',
    });
    writeFileSync(join(dir, 'index.html'), '<!doctype html><script type="module" src="/bundle.js"></script>');
    server = await serveStatic(dir);
  });

  afterAll(() => server?.close());

  it('fetches model.json + float16 shards over http, gives the logits Node gets from the same files, caches shards with the Cache API and recovers from a damaged cache entry', async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.goto(`${server.url}/`);
      await page.waitForFunction(() => (globalThis as { runModel?: unknown }).runModel !== undefined, null, { timeout: 60_000 });
      type Run = { logits: number[]; fromCache: boolean[] };
      const run = (cache?: string) => page.evaluate(async ([url, c]) => (globalThis as unknown as { runModel: (u: string, c?: string) => Promise<Run> }).runModel(url!, c), [`${server.url}/web/`, cache] as const);
      const plain = await run();
      expect(plain.logits.length).toBe(want.length);
      expect(maxAbsDiff(Float32Array.from(plain.logits), want)).toBeLessThanOrEqual(1e-5);
      const shards = shardRequests();
      expect(shards).toBeGreaterThan(1);
      // With a Cache API store: the first load fetches every shard, the second none, same logits.
      const first = await run('tfjs-vit-test');
      expect(shardRequests()).toBe(2 * shards);
      expect(first.fromCache.every((c) => !c)).toBe(true);
      const second = await run('tfjs-vit-test');
      expect(shardRequests()).toBe(2 * shards);
      expect(second.fromCache).toEqual([false, ...Array(shards).fill(true)]); // model.json is always fetched
      expect(second.logits).toEqual(plain.logits);
      // A damaged cache entry (same size, other bytes) in the first shard: the load drops what it
      // had taken from the cache (that shard), loads once more fetching it again, gives the same
      // logits and re-caches it, so the next load is all from the cache.
      const damaged = await page.evaluate(async () => {
        const cache = await caches.open('tfjs-vit-test');
        const key = (await cache.keys()).find((k) => k.url.includes('shard1of'))!;
        const bytes = new Uint8Array(await (await cache.match(key))!.arrayBuffer());
        bytes[10] ^= 0xff;
        await cache.put(key, new Response(bytes));
        return key.url;
      });
      expect(damaged).toMatch(/group1-shard1of\d+\.bin\?tfjs-vit-crc32=[0-9a-f]+$/);
      const healed = await run('tfjs-vit-test');
      expect(healed.logits).toEqual(plain.logits);
      expect(shardRequests()).toBe(2 * shards + 1);
      expect(server.requests.at(-1)).toBe('/web/group1-shard1of' + shards + '.bin');
      const after = await run('tfjs-vit-test');
      expect(shardRequests()).toBe(2 * shards + 1);
      expect(after.fromCache).toEqual([false, ...Array(shards).fill(true)]);
    } finally {
      await browser.close();
    }
  });
});

function writeEntry(path: string): void {
  const src = `
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { loadModel } from '@tfjs-vit/convert/load_model';
globalThis.runModel = async (url, cache) => {
  await tf.setBackend('cpu');
  const fromCache = [];
  const model = await loadModel(url, { cache, onProgress: (_, __, info) => fromCache.push(info.fromCache) });
  const y = model.forward(tf.ones([1, 32, 32, 3]));
  const logits = Array.from(await y.data());
  y.dispose();
  model.dispose();
  return { logits, fromCache };
};
`;
  writeFileSync(path, src);
}
