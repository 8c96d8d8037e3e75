// What float16 and uint8 web shards cost: the shipped Fashion-MNIST ViT's logits on held-out test
// images against float32 (max |Δlogit|, top-1 agreement, accuracy), and ViT-B/16's shard bytes.
// Run after the build: npm run bench -w @tfjs-vit/example-browser
import { fileURLToPath } from 'node:url';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { fromTfjsArtifacts, loadModelWithMeta, toTfjsArtifacts } from '@tfjs-vit/convert';
import { createModel } from '@tfjs-vit/models';
import { loadFashionMNIST } from '@tfjs-vit/transforms';

await tf.setBackend('wasm');
const dir = fileURLToPath(new URL('../dist/fashion-mnist-vit', import.meta.url));
const { model, meta } = await loadModelWithMeta(dir);
const [mean] = meta.dataConfig.mean;
const [std] = meta.dataConfig.std;
const n = 2000;
const { test } = loadFashionMNIST({ testPerClass: n / 10, trainPerClass: 0 });
const x = new Float32Array(n * 784);
const labels = [];
for (let i = 0; i < n; i++) {
  const { source, label } = test.item(i);
  for (let p = 0; p < 784; p++) x[i * 784 + p] = (source.data[p] / 255 - mean) / std;
  labels.push(label);
}
const input = tf.tensor4d(x, [n, 28, 28, 1]);
const logitsOf = (m) => {
  const parts = [];
  for (let i = 0; i < n; i += 250) parts.push(tf.tidy(() => m.forward(tf.slice(input, [i, 0, 0, 0], [Math.min(250, n - i), -1, -1, -1]))));
  const all = tf.concat(parts);
  tf.dispose(parts);
  const out = all.dataSync().slice();
  all.dispose();
  return out;
};
const argmax = (l, i) => { let b = 0; for (let c = 1; c < 10; c++) if (l[i * 10 + c] > l[i * 10 + b]) b = c; return b; };
const ref = logitsOf(model);
const row = (name, bytes, l) => {
  let d = 0;
  let agree = 0;
  let correct = 0;
  for (let i = 0; i < l.length; i++) d = Math.max(d, Math.abs(l[i] - ref[i]));
  for (let i = 0; i < n; i++) {
    if (argmax(l, i) === argmax(ref, i)) agree++;
    if (argmax(l, i) === labels[i]) correct++;
  }
  console.log(`${name.padEnd(8)} ${(bytes / 1024).toFixed(0).padStart(6)} KiB  max |Δlogit| ${d.toExponential(2)}  top-1 agrees ${(100 * agree / n).toFixed(2)}%  accuracy ${(100 * correct / n).toFixed(2)}%`);
};
console.log(`Fashion-MNIST ViT (${model.numParameters()} parameters), ${n} test images, wasm; max |logit| ${Math.max(...ref.map(Math.abs)).toFixed(2)}`);
for (const dtype of ['float32', 'float16', 'uint8']) {
  const art = toTfjsArtifacts(model, { dtype });
  const copy = fromTfjsArtifacts(art);
  row(dtype, art.shards.reduce((s, b) => s + b.length, 0), dtype === 'float32' ? ref : logitsOf(copy));
  copy.dispose();
}
const vitB = createModel('vit_base_patch16_224');
for (const dtype of ['float32', 'float16', 'uint8']) {
  const art = toTfjsArtifacts(vitB, { dtype });
  console.log(`vit_base_patch16_224 ${dtype.padEnd(8)} ${(art.shards.reduce((s, b) => s + b.length, 0) / 1e6).toFixed(1)} MB in ${art.shards.length} shards`);
}
vitB.dispose();
