// Real-size linear probe, measured: `tfjs-vit train --model vit_base_patch16_224_in21k --linear-probe
// --batch-size 32` on the wasm backend, on generated JPEGs and a random-init checkpoint in timm keys
// (the same shapes as timm's in21k weights; nothing to download). Prints the peak resident memory
// (VmHWM of the train process, polled) against the 4 GB budget, the feature throughput and wall time.
// Run after `npm run build`: node examples/fine-tune-folder/bench/linear_probe_memory.mjs [images per class, default 24]
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { saveSafetensors } from '@tfjs-vit/convert';
import { createModel } from '@tfjs-vit/models';
import sharp from 'sharp';

const perClass = Number(process.argv[2] ?? 24);
const root = mkdtempSync(join(tmpdir(), 'tfjs-vit-lp-bench-'));
const cli = fileURLToPath(new URL('../../../packages/cli/bin/tfjs-vit.js', import.meta.url));
try {
  for (const [c, name] of ['amber', 'jade', 'cobalt'].entries()) {
    mkdirSync(join(root, 'data', name), { recursive: true });
    for (let k = 0; k < perClass; k++) {
      const px = new Uint8Array(320 * 240 * 3).map((_, i) => (i % 3 === c ? 150 : 40) + (((i * 2654435761 + k * 97) >>> 24) % 100));
      await sharp(Buffer.from(px), { raw: { width: 320, height: 240, channels: 3 } }).jpeg().toFile(join(root, 'data', name, `${k}.jpg`));
    }
  }
  await tf.setBackend('cpu');
  const model = createModel('vit_base_patch16_224_in21k');
  const weights = join(root, 'vit_base_patch16_224_in21k.safetensors');
  await saveSafetensors(model, weights, { metadata: { format: 'pt' } });
  model.dispose();

  const args = [cli, 'train', join(root, 'data'), '--model', 'vit_base_patch16_224_in21k', '--weights', weights,
    '--linear-probe', '--batch-size', '32', '--epochs', '5', '--backend', 'wasm', '--out', join(root, 'run')];
  const t0 = performance.now();
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'inherit', 'inherit'] });
  let peakKb = 0;
  const poll = setInterval(() => {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (m) peakKb = Math.max(peakKb, Number(m[1]));
    } catch {} // exited between polls
  }, 100);
  const code = await new Promise((resolve) => child.on('exit', resolve));
  clearInterval(poll);
  if (code !== 0) throw new Error(`train exited with ${code}`);
  const results = JSON.parse(readFileSync(join(root, 'run', 'results.json'), 'utf8'));
  const images = results.trainCounts.reduce((a, b) => a + b, 0) + results.valCounts.reduce((a, b) => a + b, 0);
  console.log(`\nViT-B/16 in21k linear probe, batch 32, wasm, ${images} images, 5 epochs on cached features`);
  console.log(`peak resident memory ${(peakKb / 1024 / 1024).toFixed(2)} GB (budget 4 GB: ${((peakKb / 1024 / 1024) / 4 * 100).toFixed(0)}%)`);
  console.log(`features ${(images / results.featureSeconds).toFixed(2)} img/s (${results.featureSeconds.toFixed(1)} s); wall ${((performance.now() - t0) / 1000).toFixed(1)} s`);
} finally {
  rmSync(root, { recursive: true, force: true });
}
