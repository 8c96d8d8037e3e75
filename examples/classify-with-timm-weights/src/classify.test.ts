// The example on the committed timm fixture: its top-5 equal timm 1.0.28's on the same checkpoint
// and images (the reference is predict.safetensors, written by tools/fixtures/gen_pipeline.py).
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { loadFixture } from '@tfjs-vit/testing';
import { expect, it } from 'vitest';
import { classify } from './classify';

const fixtures = fileURLToPath(new URL('../../../packages/pipeline/fixtures/', import.meta.url));
const timm = loadFixture(join(fixtures, 'predict.safetensors'));

it("gives timm's top-5 classes and probabilities (≤ 1e-3) for the default images", async () => {
  await tf.setBackend('wasm');
  const names = ['rgb.jpg', 'gray.png', 'cmyk.jpg', 'palette.gif'];
  const results = await classify(join(fixtures, 'test_vit.pth'), names.map((n) => join(fixtures, 'images', n)));
  results.forEach((r, i) => {
    const key = `default.${names[i]}`;
    expect(r.top!.map((t) => t.index), key).toEqual(Array.from(timm.data(`top5_index.${key}`)));
    r.top!.forEach((t, j) => expect(Math.abs(t.prob - timm.data(`top5_prob.${key}`)[j]), key).toBeLessThanOrEqual(1e-3));
    expect(r.top![0].label).toBeTypeOf('string'); // ImageNet-1k names for a 1000-class head
  });
});
