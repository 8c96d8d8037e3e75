// loadModel in a real browser: headless Debian Chromium fetches model.json and the shards from a
// local http server and runs the model; its logits must equal Node's. Skipped without Chromium.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { createViT } from '@tfjs-vit/models';
import { CHROMIUM, hasChromium, maxAbsDiff } from '@tfjs-vit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel } from './load_model';
import { saveTfjsModel } from './tfjs_format_save';

const root = fileURLToPath(new URL('../../../', import.meta.url));

describe.skipIf(!hasChromium('loadModel in headless Chromium'))('loadModel in headless Chromium (fetch)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tfjs-vit-browser-'));
  let server: Server;
  let base = '';
  let want: Float32Array;
  let shardRequests = 0;

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
    server = createServer((req, res) => {
      const name = (req.url ?? '/').split('?')[0];
      if (name.endsWith('.bin')) shardRequests++;
      const file = name === '/' ? null : join(dir, name);
      if (name === '/') {
        res.setHeader('content-type', 'text/html');
        res.end('<!doctype html><script type="module" src="/bundle.js"></script>');
      } else if (file && existsSync(file)) {
        if (file.endsWith('.js')) res.setHeader('content-type', 'text/javascript');
        res.end(readFileSync(file));
      } else {
        res.statusCode = 404;
        res.end();
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });

  afterAll(() => server?.close());

  it('fetches model.json + float16 shards over http, gives the logits Node gets from the same files, and caches shards with the Cache API', async () => {
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    try {
      const page = await browser.newPage();
      await page.goto(`${base}/`);
      await page.waitForFunction(() => (globalThis as { runModel?: unknown }).runModel !== undefined, null, { timeout: 60_000 });
      type Run = { logits: number[]; fromCache: boolean[] };
      const run = (cache?: string) => page.evaluate(async ([url, c]) => (globalThis as unknown as { runModel: (u: string, c?: string) => Promise<Run> }).runModel(url!, c), [`${base}/web/`, cache] as const);
      const plain = await run();
      expect(plain.logits.length).toBe(want.length);
      expect(maxAbsDiff(Float32Array.from(plain.logits), want)).toBeLessThanOrEqual(1e-5);
      const shards = shardRequests;
      expect(shards).toBeGreaterThan(1);
      // With a Cache API store: the first load fetches every shard, the second none, same logits.
      const first = await run('tfjs-vit-test');
      expect(shardRequests).toBe(2 * shards);
      expect(first.fromCache.every((c) => !c)).toBe(true);
      const second = await run('tfjs-vit-test');
      expect(shardRequests).toBe(2 * shards);
      expect(second.fromCache).toEqual([false, ...Array(shards).fill(true)]); // model.json is always fetched
      expect(second.logits).toEqual(plain.logits);
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
