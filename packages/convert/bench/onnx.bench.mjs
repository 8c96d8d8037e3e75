// Forward speed of the same ViT in tfjs-vit (wasm backend) and in onnxruntime-node running our
// ONNX export (random weights; outputs are checked to agree first). Prints ms/image and the ratio.
// Run after a build: `npx turbo run build --filter=@tfjs-vit/convert && node packages/convert/bench/onnx.bench.mjs [models…]`.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import * as ort from 'onnxruntime-node';
import { createModel } from '@tfjs-vit/models';
import { exportOnnx } from '../dist/index.js';

const names = process.argv.slice(2).length ? process.argv.slice(2) : ['vit_tiny_patch16_224', 'vit_small_patch16_224'];
const batches = [1, 8];
const runs = 5;

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function time(fn) {
  await fn(); // warm-up (kernels, allocations)
  const ts = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    ts.push(performance.now() - t0);
  }
  return median(ts);
}

await tf.setBackend('wasm');
await tf.ready();
console.log(`backend wasm, onnxruntime-node ${ort.env.versions?.node ?? ''}, median of ${runs} runs after a warm-up`);
console.log('| model | batch | tfjs-vit wasm ms/img | onnxruntime ms/img | tfjs / ort | max |Δlogit| |');
console.log('| --- | --- | --- | --- | --- | --- |');
for (const name of names) {
  const model = createModel(name).eval();
  const onnx = exportOnnx(model, { dataFormat: 'NHWC' });
  const session = await ort.InferenceSession.create(onnx, { graphOptimizationLevel: 'all' });
  for (const b of batches) {
    const x = tf.randomUniform([b, 224, 224, 3], -1, 1, 'float32', 1);
    const feeds = { pixel_values: new ort.Tensor('float32', Float32Array.from(x.dataSync()), x.shape) };
    const ours = model.forward(x);
    const theirs = (await session.run(feeds)).logits.data;
    const a = ours.dataSync();
    let diff = 0;
    for (let i = 0; i < a.length; i++) diff = Math.max(diff, Math.abs(a[i] - theirs[i]));
    ours.dispose();
    const tTf = await time(async () => {
      const y = model.forward(x);
      await y.data();
      y.dispose();
    });
    const tOrt = await time(() => session.run(feeds));
    console.log(`| ${name} | ${b} | ${(tTf / b).toFixed(1)} | ${(tOrt / b).toFixed(1)} | ${(tTf / tOrt).toFixed(2)} | ${diff.toExponential(1)} |`);
    x.dispose();
  }
  await session.release();
  model.dispose();
}
