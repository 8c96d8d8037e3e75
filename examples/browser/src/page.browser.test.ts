// The page end to end in Debian's Chromium (playwright-core, never a browser download): the built
// dist/ served on 127.0.0.1 with COOP/COEP, Fashion-MNIST test images uploaded, and every answer
// checked against the same model run in Node on wasm. Skipped, with a message, without Chromium.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { loadModel, loadModelWithMeta, saveTfjsModel } from '@tfjs-vit/convert';
import { createClassifier, type ImageClassification } from '@tfjs-vit/pipeline';
import { hasChromium, launchChromium, serveStatic, type StaticServer } from '@tfjs-vit/testing';
import { FASHION_MNIST_CLASSES, loadFashionMNIST } from '@tfjs-vit/transforms';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const dist = fileURLToPath(new URL('../dist', import.meta.url));
const shots = fileURLToPath(new URL('../test-results', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'tfjs-vit-page-'));

type Shown = { index: number; prob: number }[];

/** Fashion-MNIST test images as 28×28 gray PNGs: `count` per class for the given classes. */
async function writeImages(dir: string, classes: number[], count: number, byFolder: boolean): Promise<string[]> {
  const { test } = loadFashionMNIST({ testPerClass: 40, trainPerClass: 0, seed: 3 });
  const taken = new Map<number, number>();
  const paths: string[] = [];
  for (let i = 0; i < test.length; i++) {
    const { source, label } = test.item(i) as { source: { data: Uint8Array }; label: number };
    if (!classes.includes(label) || (taken.get(label) ?? 0) >= count) continue;
    const k = taken.get(label) ?? 0;
    taken.set(label, k + 1);
    const name = FASHION_MNIST_CLASSES[label]!.replace(/\W+/g, '_');
    const sub = byFolder ? join(dir, name) : dir;
    mkdirSync(sub, { recursive: true });
    const path = join(sub, `${name}-${k}.png`);
    await sharp(Buffer.from(source.data), { raw: { width: 28, height: 28, channels: 1 } }).png().toFile(path);
    paths.push(path);
  }
  return paths;
}

async function openPage(browser: Browser, url: string): Promise<Page> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url);
  await page.waitForFunction(() => document.body.dataset.state !== 'busy', null, { timeout: 120_000 });
  expect(await page.evaluate(() => document.body.dataset.state), `${await page.textContent('#error')} ${errors.join('; ')}`).toBe('ready');
  return page;
}

/** Uploads images to #images and waits for one result per image; returns them in upload order. */
async function classify(page: Page, files: string[]): Promise<Shown[]> {
  const before = await page.locator('.result').count();
  await page.setInputFiles('#images', files);
  await page.waitForFunction(
    (n) => document.body.dataset.state === 'ready' && (document.querySelectorAll('.result').length >= n || !document.getElementById('error')!.hidden),
    before + files.length, { timeout: 300_000 },
  );
  expect(await page.isHidden('#error'), (await page.textContent('#error')) ?? '').toBe(true);
  const lists = await page.$$eval('.result ol', (ols) => ols.map((ol) => [...ol.querySelectorAll('li')].map((li) => ({ index: Number(li.dataset.index), prob: Number(li.dataset.prob) }))));
  return lists.slice(0, files.length).reverse(); // results are prepended
}

function expectSame(shown: Shown[], node: ImageClassification[], tol: number): number {
  let worst = 0;
  shown.forEach((s, i) => {
    const want = node[i]!.top!;
    expect(s.map((t) => t.index)[0], `top-1 of image ${i}`).toBe(want[0]!.index);
    for (const t of s) {
      const w = want.find((p) => p.index === t.index);
      expect(w, `class ${t.index} in Node's answer for image ${i}`).toBeDefined();
      worst = Math.max(worst, Math.abs(t.prob - w!.prob));
    }
  });
  expect(worst).toBeLessThanOrEqual(tol);
  return worst;
}

describe.skipIf(!hasChromium('the browser page (examples/browser)'))('the browser page in Chromium', () => {
  let server: StaticServer;
  let images: string[];
  let node: ImageClassification[];

  beforeAll(async () => {
    if (!existsSync(join(dist, 'index.html')) || !existsSync(join(dist, 'fashion-mnist-vit/model.json'))) {
      throw new Error('examples/browser/dist is not built: run `npm run build -w @tfjs-vit/example-browser` (npm test builds it first)');
    }
    mkdirSync(shots, { recursive: true });
    images = await writeImages(join(work, 'classify'), [0, 1, 5, 8, 9], 1, false);
    await tf.setBackend('wasm');
    const clf = await createClassifier({ weights: join(dist, 'fashion-mnist-vit') }); // the shipped files, read in Node
    node = await clf.classify(images.map((p) => new Uint8Array(readFileSync(p))), { topk: 10 }); // every class, so any class the page shows can be looked up
    await clf.dispose();
    server = await serveStatic(dist, { crossOriginIsolated: true });
  }, 180_000);

  afterAll(async () => server?.close());

  it('forced WebGPU (SwiftShader here): backend webgpu, the top-1 and probabilities of Node on wasm', async () => {
    const browser = await launchChromium({ webgpu: true });
    try {
      const page = await openPage(browser, `${server.url}/?backend=webgpu`);
      expect(await page.evaluate(() => document.body.dataset.backend)).toBe('webgpu');
      const worst = expectSame(await classify(page, images), node, 1e-3);
      console.log(`webgpu page vs Node wasm: max |Δprob| ${worst.toExponential(2)} over ${images.length} images; ${await page.textContent('#backend-info')}`);
      await page.screenshot({ path: join(shots, 'page-webgpu.png'), fullPage: true });
    } finally {
      await browser.close();
    }
  }, 600_000);

  it('no WebGPU adapter: auto falls back to wasm, same answers; shards come from the Cache API on reload', async () => {
    const browser = await launchChromium();
    try {
      const page = await openPage(browser, `${server.url}/`);
      expect(await page.evaluate(() => document.body.dataset.backend)).toBe('wasm');
      expect(await page.textContent('#backend-info')).toMatch(/webgpu: no WebGPU adapter|navigator\.gpu/);
      const threads = Number(await page.evaluate(() => document.body.dataset.threads));
      expect(threads).toBeGreaterThanOrEqual(1);
      const worst = expectSame(await classify(page, images), node, 1e-4);
      console.log(`wasm page (${threads} thread(s)) vs Node wasm: max |Δprob| ${worst.toExponential(2)}`);
      const shards = server.requests.filter((r) => r.endsWith('.bin')).length;
      await page.reload();
      await page.waitForFunction(() => document.body.dataset.state === 'ready', null, { timeout: 120_000 });
      expect(server.requests.filter((r) => r.endsWith('.bin')).length).toBe(shards); // no shard downloaded again
      expect(await page.textContent('#model-info')).toMatch(/1 shard from the cache/);
      await page.screenshot({ path: join(shots, 'page-wasm.png'), fullPage: true });
    } finally {
      await browser.close();
    }
  }, 600_000);

  it('learn: 3 classes from folders, held-out accuracy well above chance, the download loads in Node and back in the page with the same answers', async () => {
    const root = join(work, 'learn');
    await writeImages(root, [1, 5, 8], 10, true); // Trouser, Sandal, Bag: 10 each, 2 of each held out
    const probe = await writeImages(join(work, 'probe'), [1, 5, 8], 1, false);
    const browser = await launchChromium();
    try {
      const page = await openPage(browser, `${server.url}/`);
      await page.setInputFiles('#train-images', root);
      expect(await page.textContent('#train-files')).toMatch(/30 images in 3 classes/);
      await page.click('#train');
      await page.waitForFunction(() => document.body.dataset.state === 'ready' && (document.getElementById('train-status')!.dataset.accuracy ?? '') !== '', null, { timeout: 300_000 });
      const accuracy = Number(await page.evaluate(() => document.getElementById('train-status')!.dataset.accuracy));
      console.log(`learn: ${await page.textContent('#train-status')}`);
      expect(accuracy).toBeGreaterThanOrEqual(2 / 3); // chance is 1/3
      const shown = await classify(page, probe);
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-model')]);
      const saved = join(work, 'finetuned.safetensors');
      await download.saveAs(saved);
      const clf = await createClassifier({ weights: saved });
      expect(clf.labels).toEqual(['Bag', 'Sandal', 'Trouser']);
      const again = await clf.classify(probe.map((p) => new Uint8Array(readFileSync(p))), { topk: 3 });
      await clf.dispose();
      expectSame(shown, again, 1e-4);
      await page.screenshot({ path: join(shots, 'page-learn.png'), fullPage: true });
      // the download picked back as "your own model": it records its heads, labels and preprocessing
      await page.click('#model summary'); // "Use your own model"
      await page.click('#model-reset');
      await page.waitForFunction(() => document.body.dataset.state === 'ready' && document.getElementById('model-info')!.dataset.numClasses === '10', null, { timeout: 60_000 });
      await page.setInputFiles('#model-safetensors', saved);
      await page.waitForFunction(() => document.body.dataset.state === 'ready' && document.getElementById('model-info')!.dataset.source === 'safetensors', null, { timeout: 60_000 });
      expect(await page.textContent('#model-info')).toMatch(/3 classes \(Bag, Sandal, Trouser\)/);
      expectSame(await classify(page, probe), again, 1e-4);
    } finally {
      await browser.close();
    }
  }, 600_000);

  it('your own model: uint8 web files picked (answers close to float32), then a corrupt shard (an error, the model in use stays)', async () => {
    const u8 = join(work, 'u8');
    await tf.setBackend('wasm');
    const model = await loadModel(join(dist, 'fashion-mnist-vit'));
    const { meta } = await loadModelWithMeta(join(dist, 'fashion-mnist-vit'));
    await saveTfjsModel(model, u8, { dtype: 'uint8', meta: meta ?? undefined }); // what `tfjs-vit convert --dtype uint8` writes
    model.dispose();
    const files = [join(u8, 'model.json'), join(u8, 'group1-shard1of1.bin')];
    const browser = await launchChromium();
    try {
      const page = await openPage(browser, `${server.url}/`);
      await page.setInputFiles('#model-files', files);
      await page.waitForFunction(() => document.body.dataset.state === 'ready' && document.getElementById('model-info')!.dataset.source === 'files', null, { timeout: 60_000 });
      expect(await page.isHidden('#error'), (await page.textContent('#error')) ?? '').toBe(true);
      const shown = await classify(page, images);
      const worst = Math.max(...shown.flatMap((s, i) => s.map((t) => Math.abs(t.prob - node[i]!.top!.find((p) => p.index === t.index)!.prob))));
      const agree = shown.filter((s, i) => s[0]!.index === node[i]!.top![0]!.index).length;
      console.log(`uint8 shards (${(statSync(files[1]!).size / 1024).toFixed(0)} KiB, float32 ${(statSync(join(dist, 'fashion-mnist-vit/group1-shard1of1.bin')).size / 1024).toFixed(0)} KiB): top-1 agrees on ${agree}/${images.length}, max |Δprob| ${worst.toExponential(2)}`);
      expect(agree).toBeGreaterThanOrEqual(images.length - 1);
      expect(worst).toBeLessThanOrEqual(0.1);
      const bad = readFileSync(files[1]!);
      bad[1000] ^= 0xff;
      const badShard = join(work, 'corrupt', 'group1-shard1of1.bin');
      mkdirSync(join(work, 'corrupt'), { recursive: true });
      writeFileSync(badShard, bad);
      await page.setInputFiles('#model-files', [files[0]!, badShard]);
      await page.waitForFunction(() => !document.getElementById('error')!.hidden && document.body.dataset.state === 'ready', null, { timeout: 60_000 });
      expect(await page.textContent('#error')).toMatch(/group1-shard1of1\.bin is corrupt: CRC-32/);
      expect((await classify(page, images.slice(0, 1)))[0]![0]!.index).toBe(shown[0]![0]!.index); // still the uint8 model
    } finally {
      await browser.close();
    }
  }, 300_000);

  it('bad input: a text file named .png and a truncated PNG show an error each; the page stays ready and keeps working', async () => {
    const bad = join(work, 'not-an-image.png');
    writeFileSync(bad, 'this is not a PNG');
    const browser = await launchChromium();
    try {
      const page = await openPage(browser, `${server.url}/`);
      await page.setInputFiles('#images', bad);
      await page.waitForFunction(() => !document.getElementById('error')!.hidden && document.body.dataset.state === 'ready', null, { timeout: 60_000 });
      expect(await page.textContent('#error')).toMatch(/not-an-image\.png/);
      const png = readFileSync(images[0]!);
      const truncated = join(work, 'truncated.png');
      writeFileSync(truncated, png.subarray(0, Math.floor(png.length / 2))); // a real PNG cut in half
      await page.setInputFiles('#images', truncated);
      await page.waitForFunction(() => /truncated\.png/.test(document.getElementById('error')!.textContent ?? '') && document.body.dataset.state === 'ready', null, { timeout: 60_000 });
      const again = await classify(page, images.slice(0, 1));
      expect(again[0]![0]!.index).toBe(node[0]!.top![0]!.index);
      expect(await page.isHidden('#error')).toBe(true);
    } finally {
      await browser.close();
    }
  }, 300_000);
});
