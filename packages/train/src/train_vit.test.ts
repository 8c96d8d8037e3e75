// The CI smoke test of issue 6: a tiny ViT from @tfjs-vit/models trained for a few steps on
// generated data must lower its loss, with timm's AdamW recipe (layer decay, cosine warmup, clipping).
import * as tf from '@tensorflow/tfjs-core';
import { createViT } from '@tfjs-vit/models';
import { describeBackends } from '@tfjs-vit/testing';
import { expect, it } from 'vitest';
import { AdamW } from './adamw';
import { paramGroupsLayerDecay } from './param_groups';
import { cosineSchedule } from './schedules';
import { crossEntropyLoss } from './cross_entropy';
import { lossAndGradients } from './train_step';
import { Trainer } from './trainer';
import type { Batch } from './types';

/** 8×8 RGB images whose class (0..2) is which third of the image is bright; fixed seeds. */
function brightBandBatches(numBatches: number, batchSize: number, seed: number): Batch[] {
  return Array.from({ length: numBatches }, (_, i) =>
    tf.tidy(() => {
      const labels = tf.randomUniformInt([batchSize], 0, 3, seed + i);
      const cols = tf.range(0, 8);
      const band = tf.cast(tf.equal(tf.floorDiv(tf.mul(cols, 3), 8), tf.expandDims(labels, 1)), 'float32'); // [B, 8]
      const noise = tf.randomNormal([batchSize, 8, 8, 3], 0, 0.3, 'float32', seed + 100 + i);
      const images = tf.add(tf.reshape(band, [batchSize, 1, 8, 1]), noise);
      return { images, labels };
    }),
  );
}

describeBackends('Trainer on a tiny ViT', () => {
  it('the loss falls within a few steps', async () => {
    const model = createViT({ imgSize: 8, patchSize: 4, embedDim: 16, depth: 2, numHeads: 2, mlpRatio: 2, numClasses: 3 });
    const train = brightBandBatches(4, 16, 1);
    const optimizer = new AdamW(paramGroupsLayerDecay(model, { weightDecay: 0.05, layerDecay: 0.9 }), { lr: 3e-3 });
    const trainer = new Trainer({
      model,
      optimizer,
      train,
      epochs: 8,
      schedule: cosineSchedule({ baseLr: 3e-3, tInitial: 32, warmupT: 4, warmupLrInit: 1e-4 }),
      clipGradNorm: 1,
      progress: false,
    });
    const history = await trainer.fit();
    expect(history.at(-1)!.trainLoss, `losses ${history.map((h) => h.trainLoss.toFixed(3))}`).toBeLessThan(history[0].trainLoss * 0.8);
    for (const g of optimizer.paramGroups) expect(g.lr).toBeLessThanOrEqual(3e-3 * g.lrScale + 1e-12);
    tf.dispose(train.flatMap((b) => [b.images, b.labels]));
    model.dispose();
  });

  it('100 training steps (forward, backward, AdamW) leave tensors, data buffers and bytes where they were', () => {
    const model = createViT({ imgSize: 8, patchSize: 4, embedDim: 16, depth: 2, numHeads: 2, mlpRatio: 2, numClasses: 3 });
    const [{ images, labels }] = brightBandBatches(1, 8, 7);
    const optimizer = new AdamW(model, { lr: 1e-3, weightDecay: 0.05 });
    const loss = crossEntropyLoss();
    const step = () => {
      const r = lossAndGradients(model, loss, images, labels, optimizer.variables());
      optimizer.step(r.grads);
      tf.dispose([r.loss, r.logits, r.grads]);
    };
    step(); // the first step makes AdamW's moments
    const before = tf.memory();
    for (let i = 0; i < 100; i++) step();
    const after = tf.memory();
    expect([after.numTensors, after.numDataBuffers, after.numBytes]).toEqual([before.numTensors, before.numDataBuffers, before.numBytes]);
    tf.dispose([images, labels]);
    model.dispose();
  });
});

