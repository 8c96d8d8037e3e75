// node dist/main.js [--weights <timm checkpoint>] [images…]
// Default: the test_vit checkpoint made with real timm 1.0.28 (tools/fixtures/gen_pipeline.py) and
// the images next to it.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { classify } from './classify';

const fixtures = fileURLToPath(new URL('../../../packages/pipeline/fixtures/', import.meta.url));
const args = process.argv.slice(2);
const w = args.indexOf('--weights');
const weights = w >= 0 ? args.splice(w, 2)[1] : join(fixtures, 'test_vit.pth');
const images = args.length ? args : ['rgb.jpg', 'gray.png', 'cmyk.jpg', 'palette.gif'].map((f) => join(fixtures, 'images', f));

await tf.setBackend('wasm');
for (const r of await classify(weights, images)) {
  console.log(r.image);
  for (const t of r.top ?? []) console.log(`  ${t.prob.toFixed(4)}  ${t.label ?? t.index}`);
}
