// The seed 004 recipe on any class-per-folder dataset:
//   node dist/main.js --data <folder> --weights <checkpoint .pth|.safetensors|.npz>
//     [--model vit_base_patch16_224_in21k] [--epochs 10] [--batch 8] [--img-size 224] [--lr 1e-3]
//     [--pre-logits] [--workers 0] [--backend wasm|cpu] [--out runs/fine-tune]
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { run } from './run';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] && !process.argv[i + 1].startsWith('--') ? process.argv[i + 1] : undefined;
}

function num(name: string): number | undefined {
  const v = arg(name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new Error(`--${name}: expected a number, got ${v}`);
  return n;
}

async function main(): Promise<void> {
  const data = arg('data');
  if (!data || process.argv.includes('--help')) {
    console.log('usage: node dist/main.js --data <folder of class folders> --weights <checkpoint> [--model NAME] [--epochs 10] [--batch 8] [--img-size 224] [--lr 1e-3] [--pre-logits] [--workers 0] [--backend wasm|cpu] [--out runs/fine-tune]');
    process.exit(data ? 0 : 2);
  }
  await tf.setBackend(arg('backend') ?? 'wasm');
  await tf.ready();
  console.log(`backend ${tf.getBackend()}`);
  const r = await run({
    data, weights: arg('weights'), model: arg('model'), preLogits: process.argv.includes('--pre-logits'),
    epochs: num('epochs'), batchSize: num('batch'), imgSize: num('img-size'), lr: num('lr'),
    numWorkers: num('workers'), out: arg('out'),
  });
  if (!r.load) console.log('(trained from RANDOM INIT: no --weights was given)');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
