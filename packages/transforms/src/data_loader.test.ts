import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTransform } from './create_transform';
import { DataLoader, type Batch } from './data_loader';
import { ArrayDataset, type DatasetItem } from './dataset';
import { ImageDecodeError } from './errors';
import { setTransformsLogger } from './log';
import { testWorkerUrl } from './test_worker';

const dir = mkdtempSync(join(tmpdir(), 'tfjs-vit-loader-'));
const N = 10;
let files: ArrayDataset;
const raw = new ArrayDataset(
  Array.from({ length: N }, (_, i): DatasetItem => ({
    source: { data: Uint8Array.from({ length: 6 * 8 * 3 }, (_, k) => (k * 13 + i * 31) % 256), width: 8, height: 6, channels: 3 },
    label: i % 3,
  })),
);

beforeAll(async () => {
  await tf.setBackend('cpu');
  const items: DatasetItem[] = [];
  for (let i = 0; i < N; i++) {
    const px = Uint8Array.from({ length: 40 * 50 * 3 }, (_, k) => (k * 7 + i * 57) % 256);
    const path = join(dir, `img${i}.jpg`);
    await sharp(px, { raw: { width: 50, height: 40, channels: 3 } }).jpeg({ quality: 90 }).toFile(path);
    items.push({ source: path, label: i % 4 });
  }
  files = new ArrayDataset(items);
});

async function collect(loader: DataLoader): Promise<{ images: Float32Array[]; labels: number[][]; indices: number[][]; shapes: number[][] }> {
  const out = { images: [] as Float32Array[], labels: [] as number[][], indices: [] as number[][], shapes: [] as number[][] };
  for await (const b of loader as AsyncIterable<Batch>) {
    out.images.push(b.images.dataSync() as Float32Array);
    out.labels.push(Array.from(b.labels.dataSync()));
    out.indices.push(b.indices);
    out.shapes.push(b.images.shape);
    expect(b.labels.dtype).toBe('int32');
    tf.dispose([b.images, b.labels]);
  }
  return out;
}

describe('DataLoader', () => {
  it('batches with and without dropLast', async () => {
    const keep = await collect(new DataLoader(raw, { batchSize: 4 }));
    expect(keep.shapes).toEqual([[4, 6, 8, 3], [4, 6, 8, 3], [2, 6, 8, 3]]);
    expect(keep.indices.flat()).toEqual(Array.from({ length: N }, (_, i) => i));
    expect(keep.labels.flat()).toEqual(Array.from({ length: N }, (_, i) => i % 3));
    expect(new DataLoader(raw, { batchSize: 4 }).length).toBe(3);
    const drop = await collect(new DataLoader(raw, { batchSize: 4, dropLast: true }));
    expect(drop.shapes.map((s) => s[0])).toEqual([4, 4]);
    expect(new DataLoader(raw, { batchSize: 4, dropLast: true }).length).toBe(2);
    // Without a transform the pixels are x / 255.
    const first = raw.item(0).source as { data: Uint8Array };
    expect(keep.images[0][5]).toBeCloseTo(first.data[5] / 255, 7);
  });

  it('shuffles reproducibly under a seed, differently per epoch and per seed', async () => {
    const a = new DataLoader(raw, { batchSize: 3, shuffle: true, seed: 5 });
    const b = new DataLoader(raw, { batchSize: 3, shuffle: true, seed: 5 });
    const a0 = (await collect(a)).indices.flat();
    expect((await collect(b)).indices.flat()).toEqual(a0);
    expect([...a0].sort((x, y) => x - y)).toEqual(Array.from({ length: N }, (_, i) => i));
    const a1 = (await collect(a)).indices.flat();
    expect(a1).not.toEqual(a0);
    const c = (await collect(new DataLoader(raw, { batchSize: 3, shuffle: true, seed: 6 }))).indices.flat();
    expect(c).not.toEqual(a0);
  });

  it('leaves no tensors behind', async () => {
    const loader = new DataLoader(raw, { batchSize: 4, transform: createTransform({ inputSize: 4 }) });
    await collect(loader);
    const before = tf.memory().numTensors;
    await collect(loader);
    await collect(loader);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('gives identical batches with 0, 1 and 2 workers under the same seed (RRC + flip + RandAugment)', async () => {
    const workerUrl = await testWorkerUrl();
    const make = (numWorkers: number) =>
      new DataLoader(files, {
        batchSize: 4, shuffle: true, seed: 11, numWorkers, workerUrl,
        transform: createTransform({ isTraining: true, inputSize: 16, interpolation: 'bicubic', autoAugment: 'rand-m9-mstd0.5' }),
      });
    const runs = [];
    for (const n of [0, 1, 2]) {
      const loader = make(n);
      runs.push(await collect(loader));
      runs.push(await collect(loader)); // second epoch
      await loader.close();
    }
    const [w0e0, w0e1, w1e0, w1e1, w2e0, w2e1] = runs;
    expect(w0e0.shapes).toEqual([[4, 16, 16, 3], [4, 16, 16, 3], [2, 16, 16, 3]]);
    for (const [x, y] of [[w0e0, w1e0], [w0e0, w2e0], [w0e1, w1e1], [w0e1, w2e1]]) {
      expect(y.indices).toEqual(x.indices);
      expect(y.labels).toEqual(x.labels);
      x.images.forEach((img, k) => expect(Buffer.from(y.images[k].buffer).equals(Buffer.from(img.buffer))).toBe(true));
    }
    // Augmentation differs between epochs for the same sample.
    const k0 = w0e0.indices.flat().indexOf(0);
    const k1 = w0e1.indices.flat().indexOf(0);
    const sample = (r: typeof w0e0, k: number) => r.images[Math.floor(k / 4)].subarray((k % 4) * 768, (k % 4 + 1) * 768);
    expect(Buffer.from(sample(w0e0, k0)).equals(Buffer.from(sample(w0e1, k1)))).toBe(false);
  });

  describe('corrupt files', () => {
    let bad: ArrayDataset;
    const warnings: string[] = [];
    beforeAll(() => {
      const path = join(dir, 'broken.jpg');
      writeFileSync(path, Uint8Array.from({ length: 100 }, (_, i) => i));
      bad = new ArrayDataset([...files.items.slice(0, 3), { source: path, label: 1 }, ...files.items.slice(3, 5)]);
      setTransformsLogger((e) => warnings.push(e.message));
    });
    afterAll(() => setTransformsLogger(null));
    for (const numWorkers of [0, 1]) {
      it(`raise names the file; skip drops it with a warning (numWorkers=${numWorkers})`, async () => {
        const workerUrl = await testWorkerUrl();
        const transform = createTransform({ inputSize: 8 });
        const raising = new DataLoader(bad, { batchSize: 4, transform, numWorkers, workerUrl });
        const err = await collect(raising).catch((e) => e);
        await raising.close();
        expect(err).toBeInstanceOf(ImageDecodeError);
        expect(err.message).toMatch(/broken\.jpg/);
        warnings.length = 0;
        const skipping = new DataLoader(bad, { batchSize: 4, transform, numWorkers, workerUrl, onError: 'skip' });
        const r = await collect(skipping);
        await skipping.close();
        expect(r.indices).toEqual([[0, 1, 2], [4, 5]]);
        expect(warnings.some((w) => /skipped sample 3: .*broken\.jpg/.test(w))).toBe(true);
        // skipBadImages: the same, and the loader lists each bad file once however many epochs ran
        const listing = new DataLoader(bad, { batchSize: 4, transform, numWorkers, workerUrl, skipBadImages: true });
        await collect(listing);
        expect((await collect(listing)).indices).toEqual([[0, 1, 2], [4, 5]]);
        await listing.close();
        expect(listing.skipped).toEqual([{ index: 3, source: join(dir, 'broken.jpg'), message: expect.stringMatching(/broken\.jpg/) }]);
        expect(() => new DataLoader(bad, { skipBadImages: true, onError: 'raise' })).toThrow(/contradicts/);
      });
    }
  });

  it('explains mismatched sample sizes', async () => {
    const mixed = new ArrayDataset([raw.item(0), { source: { data: new Uint8Array(27), width: 3, height: 3, channels: 3 }, label: 0 }]);
    await expect(collect(new DataLoader(mixed, { batchSize: 2 }))).rejects.toThrow(/add a Resize\/CenterCrop/);
  });
});
