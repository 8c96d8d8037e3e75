// Images/s decoded + augmented at 224 (RandomResizedCrop + flip + ToTensor + Normalize) by the
// DataLoader for numWorkers 0, 1, 2, on generated JPEGs in the OS temp dir. Run: npm run bench
// (builds first; the worker threads run dist/worker.js).
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { mkdirSync, existsSync } from 'node:fs';
import { tmpdir, cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { ArrayDataset, DataLoader, createTransform } from '../dist/index.js';

const COUNT = Number(process.env.BENCH_IMAGES ?? 96);
const dir = join(tmpdir(), 'tfjs-vit-transforms-bench');
mkdirSync(dir, { recursive: true });
const items = [];
for (let i = 0; i < COUNT; i++) {
  const path = join(dir, `img${i}.jpg`);
  if (!existsSync(path)) {
    const w = 500, h = 375;
    const px = Buffer.alloc(w * h * 3);
    for (let k = 0; k < px.length; k++) px[k] = (k * 7 + i * 131 + ((k / 1500) | 0) * 3) & 255;
    await sharp(px, { raw: { width: w, height: h, channels: 3 } }).blur(2).jpeg({ quality: 90 }).toFile(path);
  }
  items.push({ source: path, label: i % 10 });
}
await tf.setBackend('cpu');
const dataset = new ArrayDataset(items);
const transform = createTransform({ isTraining: true, inputSize: 224, interpolation: 'bicubic' });

// A training step stand-in: keeps the main thread busy for `ms` per batch (as a model would).
function busy(ms) {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

async function epoch(loader, stepMs = 0) {
  let n = 0;
  for await (const { images, labels } of loader) {
    n += images.shape[0];
    tf.dispose([images, labels]);
    if (stepMs) busy(stepMs);
  }
  return n;
}

console.log(`${COUNT} JPEGs 500×375 → RandomResizedCrop(224, bicubic) + flip + ToTensor + Normalize, batch 16, ${cpus().length} cores, load average ${loadavg()[0].toFixed(1)} (figures are only comparable on an idle machine)`);
const STEP_MS = Number(process.env.BENCH_STEP_MS ?? 100);
for (const stepMs of [0, STEP_MS]) {
  console.log(stepMs ? `\nwith a ${stepMs} ms main-thread "training step" per batch (overlap test):` : '\nloader alone:');
  const results = [];
  for (const numWorkers of [0, 1, 2]) {
    const loader = new DataLoader(dataset, { batchSize: 16, shuffle: true, seed: 0, numWorkers, transform });
    await epoch(loader); // warm-up: worker start-up, sharp init
    const t0 = performance.now();
    const n = (await epoch(loader, stepMs)) + (await epoch(loader, stepMs));
    const s = (performance.now() - t0) / 1000;
    await loader.close();
    results.push({ numWorkers, rate: n / s });
  }
  const base = results[0].rate;
  for (const r of results) {
    console.log(`  numWorkers=${r.numWorkers}: ${r.rate.toFixed(1)} images/s  (${(r.rate / base).toFixed(2)}× numWorkers=0)`);
  }
}
