// The predict pool case: `node pool_case.mjs DIR RUNS [--quick]` (DIR/pool_cases.json from run.mjs;
// without it, every pool case). Writes each model's seeded weights (unless ours.mjs did) and 32
// generated 500×375 JPEGs, then per model and split of the cores ([workers, wasm threads each]) starts
// one pool, warms it up, and times each case on it: one JSON line per case and split (seconds per
// image, images/s) with the largest logit difference from the case's first split.
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { saveSafetensors } from '@tfjs-vit/convert';
import { withSeededInit } from '@tfjs-vit/layers';
import { createModel, getModelConfig } from '@tfjs-vit/models';
import { chooseSplit, createPredictPool } from '@tfjs-vit/pipeline';
import { saveImage } from '@tfjs-vit/transforms';
import { median } from './cases.mjs';
import { poolCases } from './pool_report.mjs';

const QUICK = { imgSize: 32, depth: 2, numClasses: 10 };
const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const [dir = mkdtempSync(join(tmpdir(), 'tfjs-vit-pool-')), runsArg = quick ? '1' : '2'] = argv.filter((a) => !a.startsWith('--'));
const runs = Number(runsArg);
const cases = existsSync(join(dir, 'pool_cases.json')) ? JSON.parse(readFileSync(join(dir, 'pool_cases.json'), 'utf8')) : poolCases(quick);
const cores = availableParallelism();
await tf.setBackend('cpu'); // the main thread only loads the weights; the workers run wasm

const images = [];
mkdirSync(join(dir, 'pool_images'), { recursive: true });
for (let i = 0; i < Math.max(...cases.map((c) => c.images)); i++) {
  const path = join(dir, 'pool_images', `img${String(i).padStart(4, '0')}.jpg`);
  if (!existsSync(path)) {
    const [width, height] = [500, 375];
    const data = new Uint8Array(width * height * 3);
    for (let k = 0; k < data.length; k++) data[k] = (k * 7 + i * 131 + Math.floor(k / 1500) * 3) & 255;
    await saveImage({ data, width, height, channels: 3 }, path, { quality: 90 });
  }
  images.push(path);
}

const maxAbsDiff = (a, b) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

for (const model of [...new Set(cases.map((c) => c.model))]) {
  const weights = join(dir, `${model}.safetensors`);
  if (!existsSync(weights)) {
    const m = withSeededInit(0, () => createModel(model, quick ? QUICK : {}));
    await saveSafetensors(m, weights);
    m.dispose();
  }
  const mine = cases.filter((c) => c.model === model);
  const reference = new Map(); // case name → the logits of its first split
  const splits = [...new Set(mine.flatMap((c) => c.splits.map((s) => s.join('x'))))].map((s) => s.split('x').map(Number));
  for (const [workers, threadsPerWorker] of splits) {
    const t0 = performance.now();
    const pool = await createPredictPool({ weights, workers, threadsPerWorker, cores, ...(quick ? { numHeads: 3, dataConfig: { inputSize: 32 } } : {}) });
    console.error(`  pool ${model} ${workers} × ${threadsPerWorker}: ready in ${((performance.now() - t0) / 1000).toFixed(1)} s (${pool.workerBackends.join(', ')})`);
    await pool.classify(images.slice(0, workers), { batchSize: 1 }); // warm-up: every worker's first forward
    for (const c of mine.filter((x) => x.splits.some(([w, t]) => w === workers && t === threadsPerWorker))) {
      const list = images.slice(0, c.images);
      let last;
      const ts = [];
      for (let r = 0; r < runs; r++) {
        const t1 = performance.now();
        last = await pool.classify(list, { batchSize: c.batch, returnLogits: true });
        ts.push((performance.now() - t1) / 1000);
      }
      const logits = last.flatMap((x) => Array.from(x.logits));
      if (!reference.has(c.name)) reference.set(c.name, logits);
      const seconds = median(ts) / c.images;
      const auto = chooseSplit({ cores, images: c.images, embedDim: getModelConfig(c.model).embedDim });
      console.log(JSON.stringify({
        case: c.name, engine: 'pool', threads: workers * threadsPerWorker, workers, threadsPerWorker, backend: 'wasm', images: c.images, batch: c.batch,
        seconds, images_per_s: 1 / seconds, auto: `${auto.workers}x${auto.threadsPerWorker}`, max_abs_logit_diff: maxAbsDiff(logits, reference.get(c.name)),
      }));
    }
    await pool.close();
  }
}
process.exit(0);
