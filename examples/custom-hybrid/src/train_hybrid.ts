// Training the hand-built hybrid on Fashion-MNIST with @tfjs-vit/train's Trainer and AdamW — the
// same loop a VisionTransformer trains with, since any Module with a forward is a TrainableModel.
import * as tf from '@tensorflow/tfjs-core';
import { withSeededInit } from '@tfjs-vit/layers';
import { AdamW, Trainer, cosineSchedule, crossEntropyLoss, paramGroupsWeightDecay, type EpochLog } from '@tfjs-vit/train';
import { loadFashionMNIST, type Dataset } from '@tfjs-vit/transforms';
import { SmallHybrid } from './hybrid';

/** Options of {@link trainHybrid}. */
export interface TrainHybridOptions {
  /** Training images per class (default 300: 3,000 in all). */
  trainPerClass?: number;
  /** Held-out test images per class (default 100). */
  testPerClass?: number;
  epochs?: number;
  batchSize?: number;
  lr?: number;
  log?: (line: string) => void;
}

/** What {@link trainHybrid} measured. */
export interface TrainHybridResult {
  parameters: number;
  history: EpochLog[];
  testTop1: number;
  testCount: number;
  seconds: number;
}

const MEAN = 0.286;
const STD = 0.353;

function batchesOf(ds: Dataset, batchSize: number): { images: tf.Tensor; labels: tf.Tensor }[] {
  const out = [];
  for (let s = 0; s < ds.length; s += batchSize) {
    const n = Math.min(batchSize, ds.length - s);
    const x = new Float32Array(n * 784);
    const y = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const item = ds.item(s + i);
      const px = (item.source as { data: Uint8Array }).data;
      for (let p = 0; p < 784; p++) x[i * 784 + p] = (px[p] / 255 - MEAN) / STD;
      y[i] = item.label;
    }
    out.push({ images: tf.tensor4d(x, [n, 28, 28, 1]), labels: tf.tensor1d(y, 'int32') });
  }
  return out;
}

/** Trains a {@link SmallHybrid} (seeded init) and evaluates it on held-out Fashion-MNIST images. */
export async function trainHybrid(o: TrainHybridOptions = {}): Promise<TrainHybridResult> {
  const { train, test } = loadFashionMNIST({ seed: 0, trainPerClass: o.trainPerClass ?? 300, testPerClass: o.testPerClass ?? 100 });
  const batchSize = o.batchSize ?? 64;
  const trainBatches = batchesOf(train, batchSize);
  const testBatches = batchesOf(test, 256);
  const model = withSeededInit(0, () => new SmallHybrid({ imgSize: 28, inChans: 1, numClasses: 10 }));
  const epochs = o.epochs ?? 3;
  const lr = o.lr ?? 2e-3;
  const t0 = performance.now();
  try {
    const trainer = new Trainer({
      model, optimizer: new AdamW(paramGroupsWeightDecay(model, 0.05), { lr }), train: trainBatches, val: testBatches, epochs, seed: 0,
      loss: crossEntropyLoss(), schedule: cosineSchedule({ baseLr: lr, tInitial: epochs * trainBatches.length, lrMin: lr / 100 }),
      clipGradNorm: 1, progress: false,
    });
    const history = await trainer.fit();
    for (const h of history) o.log?.(`epoch ${h.epoch + 1}: train loss ${h.trainLoss.toFixed(4)}, test acc ${((h.valAcc ?? 0) * 100).toFixed(2)}%`);
    const r = await trainer.evaluate(testBatches);
    return { parameters: model.numParameters(), history, testTop1: r.top1, testCount: r.count, seconds: (performance.now() - t0) / 1000 };
  } finally {
    model.dispose();
    for (const b of [...trainBatches, ...testBatches]) tf.dispose([b.images, b.labels]);
  }
}
