// node dist/main.js [--weights model.safetensors] [--count 8] [--out runs/attention]
// Default weights: the model `npm run demo` trains (examples/fashion-mnist-from-scratch); the images
// are the first held-out Fashion-MNIST test images.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { loadFashionMNIST } from '@tfjs-vit/transforms';
import { writeAttentionMaps } from './attention_maps';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
};
const weights = arg('weights', fileURLToPath(new URL('../../fashion-mnist-from-scratch/runs/fashion-mnist-quick/model.safetensors', import.meta.url)));
if (!existsSync(weights)) {
  console.error(`no model at ${weights}: run \`npm run demo\` first, or pass --weights`);
  process.exit(1);
}
const { test } = loadFashionMNIST({ seed: 0 });
const images = Array.from({ length: Number(arg('count', '8')) }, (_, i) => {
  const item = test.item(i);
  return { name: `${i}_${test.classes![item.label].replace(/[^\w-]+/g, '_')}`, image: item.source as never };
});
await tf.setBackend('wasm');
const out = arg('out', 'runs/attention');
for (const f of await writeAttentionMaps({ weights, images, out })) {
  console.log(`${f.file}  (predicted ${f.predicted} ${(100 * f.prob).toFixed(1)}%)`);
}
console.log(`each PNG: attention rollout (left) and the last block's class-token attention (right) over the image`);
