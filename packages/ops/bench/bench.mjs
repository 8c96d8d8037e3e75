// Throughput of the hot ops on wasm vs cpu, against the built package (run `npm run bench`).
// Attention at ViT-B/16 size (12 heads, 197 tokens, head dim 64); bicubic resize of a ViT-B pos-embed
// grid (14x14 → 24x24, 768 channels) against tf.image.resizeBilinear as the peer.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { interpolateBicubic, scaledDotProductAttention } from '../dist/index.js';

const BUDGET_MS = 1500; // per measurement, so the whole run stays well under 30 s

async function time(fn) {
  const warm = fn();
  await warm.data();
  warm.dispose();
  let runs = 0;
  const start = performance.now();
  while (performance.now() - start < BUDGET_MS || runs < 2) {
    const out = fn();
    await out.data();
    out.dispose();
    runs++;
  }
  return (performance.now() - start) / runs;
}

const rows = [];
for (const backend of ['wasm', 'cpu']) {
  await tf.setBackend(backend);
  await tf.ready();
  const [B, H, N, D] = [1, 12, 197, 64];
  const [q, k, v] = [0, 1, 2].map((s) => tf.randomNormal([B, H, N, D], 0, 1, 'float32', s));
  const flops = 4 * B * H * N * N * D; // q·kᵀ and weights·v, a multiply-add each
  const attnMs = await time(() => scaledDotProductAttention(q, k, v));
  rows.push({ backend, op: 'attention [1,12,197,64]', 'ms/call': attnMs.toFixed(2), 'GFLOP/s': (flops / attnMs / 1e6).toFixed(2) });

  const grid = tf.randomNormal([1, 14, 14, 768]);
  const cubicMs = await time(() => interpolateBicubic(grid, [24, 24], { antialias: true }));
  const peerMs = await time(() => tf.image.resizeBilinear(grid, [24, 24]));
  // Separable resize as two matMuls: 2·C·(H·W_in·W_out + W_out·H_in·H_out) multiply-adds
  const resizeFlops = 2 * 768 * (14 * 14 * 24 + 24 * 14 * 24);
  rows.push({ backend, op: 'interpolateBicubic aa 14²→24² ×768', 'ms/call': cubicMs.toFixed(2), 'GFLOP/s': (resizeFlops / cubicMs / 1e6).toFixed(2) });
  rows.push({ backend, op: 'peer: tf.image.resizeBilinear', 'ms/call': peerMs.toFixed(2), 'GFLOP/s': '-', ratio: `bicubic/peer ${(cubicMs / peerMs).toFixed(2)}x` });
  tf.dispose([q, k, v, grid]);
}
console.table(rows);
