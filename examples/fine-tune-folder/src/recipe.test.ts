// The example at toy size: seed 004's recipe on generated class folders with a tiny "pretrained"
// ViT, then the fine-tuned model.safetensors classifies a held-out image through @tfjs-vit/pipeline
// with the class names and preprocessing it recorded, as `tfjs-vit predict --weights …` would.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { saveSafetensors } from '@tfjs-vit/convert';
import { createViT } from '@tfjs-vit/models';
import { createClassifier } from '@tfjs-vit/pipeline';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seed004 } from './recipe';

const root = mkdtempSync(join(tmpdir(), 'tfjs-vit-seed004-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const TINY = { imgSize: 32, patchSize: 8, embedDim: 32, depth: 2, numHeads: 2, mlpRatio: 2 };
const CLASSES = ['blue', 'green', 'red'];

async function makeFolder(dir: string): Promise<void> {
  for (const [c, name] of CLASSES.entries()) {
    mkdirSync(join(dir, name), { recursive: true });
    for (let k = 0; k < 10; k++) {
      const px = new Uint8Array(32 * 32 * 3).map((_, i) => (i % 3 === (c + 2) % 3 ? 180 + ((i * 7 + k) % 60) : (i * 13 + k) % 50));
      await sharp(Buffer.from(px), { raw: { width: 32, height: 32, channels: 3 } }).png().toFile(join(dir, name, `${k}.png`));
    }
  }
}

describe('examples/fine-tune-folder (toy size)', () => {
  const data = join(root, 'data');
  const weights = join(root, 'pretrained.safetensors');
  beforeAll(async () => {
    await tf.setBackend('cpu');
    await makeFolder(data);
    const pretrained = createViT({ ...TINY, numClasses: 10, representationSize: 32 });
    await saveSafetensors(pretrained, weights, { metadata: { format: 'pt' } });
    pretrained.dispose();
  });

  it('fine-tunes the head with seed 004 defaults, and the result predicts through the pipeline with its labels', async () => {
    const r = await seed004({ data, weights, model: TINY, epochs: 15, lr: 0.05, out: join(root, 'run'), progress: false, log: () => {} });
    expect(r.mode).toBe('freeze-backbone');
    expect([r.trainCounts, r.valCounts]).toEqual([[8, 8, 8], [2, 2, 2]]);
    expect(r.load!.droppedKeys.sort()).toEqual(['head.bias', 'head.weight']);
    expect(r.history.at(-1)!.trainLoss).toBeLessThan(r.history[0].trainLoss);
    const clf = await createClassifier({ weights: r.files.weights }); // labels and preprocessing from its metadata
    expect(clf.labels).toEqual(CLASSES);
    expect(clf.dataConfig.inputSize).toEqual([3, 32, 32]);
    const [p] = await clf.classify(join(data, r.valFiles[0]), { topk: 3 });
    expect(p.top!.map((t) => t.label).sort()).toEqual([...CLASSES].sort());
    await clf.dispose();
  });
});
