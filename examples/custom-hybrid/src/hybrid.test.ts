// At toy size: the hand-built hybrid learns Fashion-MNIST in a few epochs of a small subset; the
// r50-shaped ViT makes a 14×14 token grid at 224 with timm's key layout.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { expect, it } from 'vitest';
import { SmallHybrid } from './hybrid';
import { r50ShapedViT } from './r50_shape';
import { trainHybrid } from './train_hybrid';

it('SmallHybrid: stem /2, projection /2 → 49 tokens + cls; the loss falls and test accuracy beats chance', async () => {
  await tf.setBackend('wasm'); // cpu is ~20x slower on the stem's conv and norm
  const m = new SmallHybrid({ imgSize: 28, inChans: 1, numClasses: 10 });
  expect(m.posEmbed.value.shape).toEqual([1, 50, 64]);
  expect(tf.tidy(() => m.forward(tf.zeros([3, 28, 28, 1])).shape)).toEqual([3, 10]);
  expect(m.namedParameters().map(([k]) => k)).toContain('stem.0.weight');
  m.dispose();
  const r = await trainHybrid({ trainPerClass: 40, testPerClass: 20, epochs: 4, batchSize: 32 });
  expect(r.history).toHaveLength(4);
  expect(r.history.at(-1)!.trainLoss).toBeLessThan(r.history[0].trainLoss);
  expect(r.testCount).toBe(200);
  expect(r.testTop1).toBeGreaterThan(0.3); // chance is 0.1
});

it("r50-shaped ViT: a /16 CNN and a 1×1 proj give timm's 197 tokens at 224, under patch_embed.backbone / .proj", async () => {
  await tf.setBackend('wasm');
  const vit = r50ShapedViT({ imgSize: 224, stem: 8, stages: [16, 32], embedDim: 32, depth: 1, numHeads: 2, numClasses: 5 }).eval();
  expect(vit.posEmbed!.value.shape).toEqual([1, 197, 32]);
  expect(tf.tidy(() => vit.forward(tf.zeros([1, 224, 224, 3])).shape)).toEqual([1, 5]);
  const keys = vit.namedParameters().map(([k]) => k);
  expect(keys).toEqual(expect.arrayContaining(['patch_embed.backbone.0.weight', 'patch_embed.proj.weight', 'patch_embed.proj.bias', 'blocks.0.attn.qkv.weight']));
  vit.dispose();
});
