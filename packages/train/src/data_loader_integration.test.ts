// The trainer with the transforms DataLoader as its source: batches are disposed by the trainer,
// and a resumed run replays the shuffled order of an uninterrupted one (source.epoch is set).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { ArrayDataset, DataLoader } from '@tfjs-vit/transforms';
import { describeBackends } from '@tfjs-vit/testing';
import { afterAll, expect, it } from 'vitest';
import { AdamW } from './adamw';
import { cosineSchedule } from './schedules';
import { TinyMLP } from './test_model';
import { Trainer } from './trainer';

const root = mkdtempSync(join(tmpdir(), 'tfjs-vit-loader-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** TinyMLP over flattened 4×4 images. */
class FlatMLP extends TinyMLP {
  constructor(seed: number) {
    super(48, 8, 3, seed); // the loader yields RGB: 4 × 4 × 3
  }
  override forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => super.forward(tf.reshape(x, [x.shape[0], -1])));
  }
}

/** 48 seeded 4×4 gray images; the label is which third of the columns is bright. */
function dataset(): ArrayDataset {
  let s = 12345;
  const rand = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const items = Array.from({ length: 48 }, (_, i) => {
    const label = i % 3;
    const data = Uint8Array.from({ length: 16 }, (_, p) => Math.min(255, Math.floor(rand() * 90 + (Math.floor(((p % 4) * 3) / 4) === label ? 150 : 0))));
    return { source: { data, width: 4, height: 4, channels: 1 }, label };
  });
  return new ArrayDataset(items);
}

describeBackends(
  'Trainer + transforms DataLoader',
  () => {
    it('resuming mid-run replays the shuffled batches of the uninterrupted run', async () => {
      const ds = dataset();
      const run = async (logDir: string, crashAtStep?: number, resume = false) => {
        const model = new FlatMLP(resume ? 50 : 1);
        const losses: number[] = [];
        const loader = new DataLoader(ds, { batchSize: 8, shuffle: true, seed: 3 }); // a fresh loader, as after a restart
        const trainer = new Trainer({
          model, optimizer: new AdamW(model.trainableVariables(), { lr: 0.03 }), train: loader, epochs: 3, logDir,
          schedule: cosineSchedule({ baseLr: 0.03, tInitial: 18 }), checkpointEvery: 4, progress: false,
          callbacks: [{ onBatchEnd: (l) => {
            losses.push(l.loss);
            if (l.step === crashAtStep) throw new Error('crash');
          } }],
        });
        if (resume) await trainer.resume(join(logDir, 'last'));
        await trainer.fit().catch((e: Error) => { if (e.message !== "crash") throw e; });
        return { losses, trainer };
      };
      const before = tf.memory().numTensors;
      const full = await run(join(root, 'full'));
      expect(full.losses.length).toBe(18);
      expect(tf.memory().numTensors - before).toBeLessThanOrEqual(20); // the model's 5 params + optimizer state, no batches
      await run(join(root, 'crash'), 10);
      const resumed = await run(join(root, 'crash'), undefined, true); // checkpoint at step 8 = epoch 1, batch 2
      expect(resumed.losses).toEqual(full.losses.slice(8));
      expect(resumed.trainer.history.map((h) => h.trainLoss)).toEqual(full.trainer.history.map((h) => h.trainLoss));
    });
  },
  ['cpu'],
);
