// Build step: exports the ViT the main job trained on Fashion-MNIST to the tfjs web format in
// public/fashion-mnist-vit (model.json with its labels and preprocessing, plus shards), which Vite ships with
// the page. The full run's model is used when it exists, else the quick run's (`npm run demo`);
// with neither, the quick run is started here first (about 2.5 minutes).
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { fromTimm, openCheckpoint, readModelMeta, saveTfjsModel } from '@tfjs-vit/convert';

const here = dirname(fileURLToPath(import.meta.url));
const demo = join(here, '../../fashion-mnist-from-scratch');
const out = join(here, '../public/fashion-mnist-vit');
const candidates = [process.env.TFJS_VIT_PAGE_MODEL, join(demo, 'runs/fashion-mnist/model.safetensors'), join(demo, 'runs/fashion-mnist-quick/model.safetensors')].filter(Boolean);

/** The model's own record of its heads and labels; a file from before the demo wrote it would load with guessed heads. */
async function metaOf(path) {
  const ckpt = await openCheckpoint(path);
  try {
    const meta = readModelMeta(ckpt.meta.metadata);
    return meta?.numHeads && meta.labels ? meta : null;
  } finally {
    ckpt.close();
  }
}

let source = null;
for (const p of candidates) {
  if (!existsSync(p)) continue;
  if (await metaOf(p)) {
    source = p;
    break;
  }
  console.log(`export-model: ${relative(process.cwd(), p)} records no heads and labels (an older run); skipped`);
}
if (!source) {
  console.log('export-model: no trained Fashion-MNIST model yet; running the quick demo first (npm run quick -w @tfjs-vit/example-fashion-mnist-from-scratch)');
  const r = spawnSync(process.execPath, [join(demo, 'dist/main.js'), '--quick'], { cwd: demo, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`export-model: the quick demo failed (exit ${r.status})`);
  source = join(demo, 'runs/fashion-mnist-quick/model.safetensors');
  if (!existsSync(source) || !(await metaOf(source))) throw new Error(`export-model: the quick demo wrote no usable ${source}`);
}

await tf.setBackend('cpu');
const meta = await metaOf(source);
const model = await fromTimm(source);
rmSync(out, { recursive: true, force: true });
const saved = await saveTfjsModel(model, out, { meta: { ...meta, model: 'fashion-mnist-vit' } });
model.dispose();
console.log(`export-model: ${relative(process.cwd(), source)} → ${relative(process.cwd(), saved.modelJsonPath)} + ${saved.shardPaths.length} shard(s), ${(saved.totalBytes / 1024).toFixed(0)} KiB`);
