// Child process of wasm_threads.test.ts: starts wasm with argv[2] threads through the *built*
// package (dist/, as users get it), runs a block of ViT-B-sized ops, prints one JSON line.
import * as tf from '@tensorflow/tfjs-core';
import { gelu, layerNorm, scaledDotProductAttention, selectBackend } from '../dist/index.js';

const requested = process.argv[2] === 'auto' ? 'auto' : Number(process.argv[2]);
const choice = await selectBackend({ prefer: 'wasm', fallback: false, wasmThreads: requested });
const out = tf.tidy(() => {
  const x = tf.randomNormal([1, 197, 768], 0, 1, 'float32', 1);
  const w1 = tf.randomNormal([768, 3072], 0, 0.02, 'float32', 2);
  const w2 = tf.randomNormal([3072, 768], 0, 0.02, 'float32', 3);
  const h = layerNorm(x, tf.ones([768]), tf.zeros([768]), 1e-6);
  const q = tf.transpose(tf.reshape(h, [1, 197, 12, 64]), [0, 2, 1, 3]);
  const a = tf.reshape(tf.transpose(scaledDotProductAttention(q, q, q), [0, 2, 1, 3]), [197, 768]);
  return tf.matMul(gelu(tf.matMul(a, w1)), w2);
});
const values = Array.from(await out.data());
console.log(JSON.stringify({ backend: choice.backend, threads: choice.threads, reason: choice.reason, values }));
