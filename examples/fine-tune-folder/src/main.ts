// The seed 004 recipe on any class-per-folder dataset:
//   node dist/main.js --data <folder> --weights <checkpoint .pth|.safetensors|.npz>
//     [--model vit_base_patch16_224_in21k] [--linear-probe] [--epochs 10] [--batch 8] [--lr 1e-3]
//     [--pre-logits] [--workers 0] [--backend wasm|cpu] [--out runs/fine-tune] [--resume]
// (`tfjs-vit train` is the same entry with more options.)
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { seed004 } from './recipe';

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
    console.log('usage: node dist/main.js --data <folder of class folders> --weights <checkpoint> [--model NAME] [--linear-probe] [--epochs 10] [--batch 8] [--lr 1e-3] [--pre-logits] [--workers 0] [--backend wasm|cpu] [--out runs/fine-tune] [--resume]');
    process.exit(data ? 0 : 2);
  }
  await tf.setBackend(arg('backend') ?? 'wasm');
  await tf.ready();
  console.log(`backend ${tf.getBackend()}`);
  const defined = <T extends object>(o: T) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
  await seed004({
    data,
    ...defined({
      weights: arg('weights'), model: arg('model'), epochs: num('epochs'), batchSize: num('batch'), lr: num('lr'),
      numWorkers: num('workers'), out: arg('out'), mode: process.argv.includes('--linear-probe') ? ('linear-probe' as const) : undefined,
    }),
    preLogits: process.argv.includes('--pre-logits'),
    resume: process.argv.includes('--resume'),
  });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
