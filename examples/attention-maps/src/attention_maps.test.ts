// At toy size: a tiny gray ViT (random init: the mechanics, not the pictures), saved with its
// preprocessing and labels; the example writes one PNG per image with both maps.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { encodeModelMeta, saveSafetensors } from '@tfjs-vit/convert';
import { createViT } from '@tfjs-vit/models';
import { FASHION_MNIST_CLASSES, loadFashionMNIST, loadImage } from '@tfjs-vit/transforms';
import { afterAll, expect, it } from 'vitest';
import { writeAttentionMaps } from './attention_maps';

const root = mkdtempSync(join(tmpdir(), 'tfjs-vit-attention-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

it('writes [rollout | last block] overlays per image, named by the predicted class', async () => {
  await tf.setBackend('cpu');
  const model = createViT({ imgSize: 28, patchSize: 7, inChans: 1, embedDim: 32, depth: 2, numHeads: 2, mlpRatio: 2, numClasses: 10 });
  const weights = join(root, 'model.safetensors');
  const meta = encodeModelMeta({ numHeads: 2, labels: [...FASHION_MNIST_CLASSES], dataConfig: { inputSize: [1, 28, 28], interpolation: 'bilinear', cropPct: 1, cropMode: 'squash', mean: [0.286], std: [0.353] } });
  await saveSafetensors(model, weights, { metadata: { format: 'pt', ...meta } });
  model.dispose();
  const { test } = loadFashionMNIST({ seed: 0, trainPerClass: 1, testPerClass: 1 });
  const images = [0, 1, 2].map((i) => ({ name: `img${i}`, image: test.item(i).source as never }));
  const files = await writeAttentionMaps({ weights, images, out: join(root, 'out'), size: 56 });
  expect(files.map((f) => f.name)).toEqual(['img0', 'img1', 'img2']);
  for (const f of files) {
    expect(FASHION_MNIST_CLASSES).toContain(f.predicted);
    expect(f.file).toBe(join(root, 'out', `${f.name}_${f.predicted.replace(/[^\w-]+/g, '_')}.png`));
    const png = await loadImage(f.file);
    expect([png.width >= 112, png.height]).toEqual([true, 56]); // two 56×56 overlays side by side
    expect([f.rollout.length, f.last.length]).toEqual([16, 16]); // the 4×4 patch grid
    expect(Array.from(f.rollout)).not.toEqual(Array.from(f.last));
  }
});
