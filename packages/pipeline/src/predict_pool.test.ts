// The predict pool on timm's committed test_vit checkpoint: two wasm workers give the one-thread
// classifier's logits and top-k, in input order; injected crashes are retried on fresh workers; a
// bad image rejects naming itself. The worker runs from this checkout's source (test_worker.ts).
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { selectBackend } from '@tfjs-vit/ops';
import { ImageDecodeError, encodeImage } from '@tfjs-vit/transforms';
import { beforeAll, describe, expect, it } from 'vitest';
import { createClassifier } from './classifier';
import { createPredictPool, predictMany, WorkerCrashError, type WorkerCrashEvent } from './predict_pool';
import { testPredictWorkerUrl } from './test_worker';

const weights = fileURLToPath(new URL('../fixtures/test_vit.pth', import.meta.url));
const image = (name: string) => fileURLToPath(new URL(`../fixtures/images/${name}`, import.meta.url));
const FILES = ['rgb.jpg', 'gray.png', 'alpha.png', 'cmyk.jpg', 'palette.gif', 'lossy.webp', 'tall.tiff', 'small.png'].map(image);

/** Four generated PNGs as bytes (named `<image i>` by their place in the list). */
async function generated(): Promise<Uint8Array[]> {
  return Promise.all([0, 1, 2, 3].map(async (i) => {
    const [width, height] = [48 + 8 * i, 40];
    const data = new Uint8Array(width * height * 3).map((_, k) => (k * (5 + i) + Math.floor(k / 97) * 13) & 255);
    return encodeImage({ data, width, height, channels: 3 }, 'png');
  }));
}

let workerUrl: URL;
beforeAll(async () => {
  await tf.setBackend('cpu'); // the main thread only loads; the workers run wasm
  workerUrl = await testPredictWorkerUrl();
});

describe('predictMany', () => {
  it('2 wasm workers give the one-thread classifier’s logits and top-5 for a dozen images, in input order', async () => {
    const images = [...FILES, ...(await generated())];
    const progress: number[] = [];
    const pooled = await predictMany(images, { weights, workers: 2, threadsPerWorker: 1, batchSize: 4, returnLogits: true, workerUrl, onProgress: (d) => progress.push(d) });
    await selectBackend({ prefer: 'wasm', fallback: false }); // as each worker does, on one thread
    const clf = await createClassifier({ weights });
    const single = await clf.classify(images, { topk: 5, batchSize: 4 });
    const names = images.map((x, i) => (typeof x === 'string' ? x : `<image ${i}>`));
    const want = await Promise.all(images.map(async (x, i) => {
      const px = await clf.preprocess(x, names[i]);
      return tf.tidy(() => Array.from(clf.model.forward(tf.tensor4d(px.data, [1, px.height, px.width, px.channels])).dataSync()));
    }));
    expect(pooled.map((r) => r.image)).toEqual([...FILES, '<image 8>', '<image 9>', '<image 10>', '<image 11>']);
    expect(pooled.map((r) => r.top!.map((p) => p.index))).toEqual(single.map((r) => r.top!.map((p) => p.index)));
    // every probability within float32 noise of the single-thread run
    pooled.forEach((r, i) => r.top!.forEach((p, j) => expect(Math.abs(p.prob - single[i]!.top![j]!.prob)).toBeLessThan(1e-6)));
    pooled.forEach((r, i) => {
      expect(r.logits!.length).toBe(clf.numClasses);
      expect(Math.max(...Array.from(r.logits!, (v, j) => Math.abs(v - want[i]![j]!)))).toBeLessThanOrEqual(1e-5);
    });
    expect(Math.max(...progress)).toBe(images.length);
    expect(progress.length).toBe(3); // 12 images, 2 workers, batch 4: three batches
    await clf.dispose();
    await tf.setBackend('cpu');
  });

  it('a bad image rejects with ImageDecodeError naming it; with continueOnError it is reported and the rest go on', async () => {
    const [bytes] = await generated();
    const images = [image('rgb.jpg'), image('truncated.jpg'), bytes!, new Uint8Array([1, 2, 3, 4]), image('gray.png')];
    const rejected = predictMany(images, { weights, workers: 2, threadsPerWorker: 1, workerUrl });
    await expect(rejected).rejects.toThrow(ImageDecodeError);
    await expect(predictMany([image('rgb.jpg'), image('truncated.jpg')], { weights, workers: 1, workerUrl })).rejects.toThrow(/truncated\.jpg: cannot decode/);
    const r = await predictMany(images, { weights, workers: 2, threadsPerWorker: 1, workerUrl, continueOnError: true, batchSize: 2 });
    expect(r.map((x) => x.image)).toEqual([image('rgb.jpg'), image('truncated.jpg'), '<image 2>', '<image 3>', image('gray.png')]);
    expect(r.map((x) => !!x.error)).toEqual([false, true, false, true, false]);
    expect(r[1]!.error).toBeInstanceOf(ImageDecodeError);
    expect((r[3]!.error as ImageDecodeError).source).toBe('<image 3>');
    expect(r[3]!.error!.message).toMatch(/^<image 3>: /);
  });
});

describe('createPredictPool', () => {
  it('replaces a worker that exits or throws mid-batch and retries its batch: same results, the crash reported', async () => {
    const images = FILES.slice(0, 6);
    const base = await predictMany(images, { weights, workers: 2, threadsPerWorker: 1, batchSize: 1, returnLogits: true, workerUrl });
    for (const mode of ['exit', 'throw'] as const) {
      const events: WorkerCrashEvent[] = [];
      const pool = await createPredictPool({ weights, workers: 2, threadsPerWorker: 1, workerUrl, testCrash: { batches: 2, mode }, onWorkerCrash: (e) => events.push(e) });
      const r = await pool.classify(images, { batchSize: 1, returnLogits: true });
      expect(pool.crashes, mode).toBe(2);
      expect(events.map((e) => e.attempt)).toEqual([1, 1]);
      expect(events.every((e) => e.images.length === 1 && images.includes(e.images[0]!))).toBe(true);
      expect(events[0]!.error.message).toMatch(mode === 'exit' ? /exited with code: 70/ : /injected crash/);
      expect(r.map((x) => x.image)).toEqual(images);
      r.forEach((x, i) => expect(Array.from(x.logits!)).toEqual(Array.from(base[i]!.logits!)));
      // the replacements serve later calls too
      const again = await pool.classify(images.slice(0, 2), { returnLogits: true });
      expect(Array.from(again[1]!.logits!)).toEqual(Array.from(base[1]!.logits!));
      await pool.close();
    }
  });

  it('gives up after maxRetries with WorkerCrashError naming the batch', async () => {
    const pool = await createPredictPool({ weights, workers: 1, workerUrl, maxRetries: 1, testCrash: { batches: 5, mode: 'exit' } });
    await expect(pool.classify([image('rgb.jpg')])).rejects.toThrow(WorkerCrashError);
    expect(pool.crashes).toBe(1);
    await pool.close();
  });

  it('splits the cores (workers × threads ≤ cores) and refuses more', async () => {
    const narrow = await createPredictPool({ weights, cores: 2, images: 1, workerUrl });
    expect([narrow.workers, narrow.threadsPerWorker]).toEqual([1, 1]); // test_vit is 64 wide: auto gives it no threads
    await narrow.close();
    const pool = await createPredictPool({ weights, cores: 2, images: 1, threadsPerWorker: 2, workerUrl });
    expect([pool.workers, pool.threadsPerWorker]).toEqual([1, 2]);
    expect(pool.workerBackends).toEqual(['wasm (2 threads)']);
    const [r] = await pool.classify(image('rgb.jpg'));
    expect(r!.top!.length).toBe(5);
    await pool.close();
    await expect(createPredictPool({ weights, cores: 2, workers: 2, threadsPerWorker: 2, workerUrl })).rejects.toThrow(/2 × 2 = 4 is more than the 2 cores/);
  });
});
