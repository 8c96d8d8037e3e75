// fineTune on a small generated folder of images and a tiny "pretrained" ViT: seed 004's recipe
// (freeze-backbone), the linear probe on cached features (and its exact resume), full fine-tuning.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { bytesSource, openSafetensors, readModelMeta, saveSafetensors } from '@tfjs-vit/convert';
import { createViT, type VisionTransformerOptions } from '@tfjs-vit/models';
import { DatasetError, ImageFolder, randomSplit } from '@tfjs-vit/transforms';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fineTune, type FineTuneResult } from './fine_tune';

const root = mkdtempSync(join(tmpdir(), 'tfjs-vit-fine-tune-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const TINY: VisionTransformerOptions = { imgSize: 32, patchSize: 8, embedDim: 32, depth: 2, numHeads: 2, mlpRatio: 2 };
const CLASSES = ['blue_stripes', 'green_dots', 'red_square'];
const PER_CLASS = 10;

/** 32×32 PNGs whose colour and pattern depend on the class, with per-image jitter. */
async function makeFolder(dir: string): Promise<void> {
  for (const [c, name] of CLASSES.entries()) {
    mkdirSync(join(dir, name), { recursive: true });
    for (let k = 0; k < PER_CLASS; k++) {
      const px = new Uint8Array(32 * 32 * 3);
      for (let y = 0; y < 32; y++) {
        for (let x = 0; x < 32; x++) {
          const on = c === 0 ? (y >> 2) % 2 === 0 : c === 1 ? x % 6 < 3 && y % 6 < 3 : x > 8 && x < 24 && y > 8 && y < 24;
          const o = 3 * (32 * y + x);
          const v = on ? 200 + ((k * 7 + x) % 40) : 30 + ((k * 13 + y) % 30);
          px[o + ((c + 2) % 3)] = v; // blue, green, red channel by class
          px[o + ((c + 1) % 3)] = on ? 20 : v;
        }
      }
      await sharp(Buffer.from(px), { raw: { width: 32, height: 32, channels: 3 } }).png().toFile(join(dir, name, `img_${k}.png`));
    }
  }
}

function readTensors(path: string): Map<string, { shape: number[]; data: Float32Array }> {
  const ckpt = openSafetensors(bytesSource(new Uint8Array(readFileSync(path))));
  const out = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const [k, e] of ckpt.entries) {
    const t = e.tensor();
    out.set(k, { shape: t.shape, data: Float32Array.from(t.dataSync() as Float32Array) });
    t.dispose();
  }
  ckpt.close();
  return out;
}

describe('fineTune --freeze-backbone: the seed 004 recipe on a generated folder', () => {
  const data = join(root, 'flowers');
  const weights = join(root, 'tiny_pretrained.safetensors');
  const out = join(root, 'run');
  let result: FineTuneResult;
  const lines: string[] = [];

  beforeAll(async () => {
    await tf.setBackend('cpu');
    await makeFolder(data);
    // A tiny "pretrained" ViT shaped like timm's original in21k checkpoints: a pre-logits layer
    // (unexpected in seed 004's has_logits=False model) and a 10-class head (dropped, as 21843).
    const pretrained = createViT({ ...TINY, numClasses: 10, representationSize: 32 });
    await saveSafetensors(pretrained, weights, { metadata: { format: 'pt' } });
    pretrained.dispose();
    result = await fineTune({ data, weights, model: TINY, mode: 'freeze-backbone', epochs: 4, batchSize: 8, lr: 0.02, out, progress: false, log: (s) => lines.push(s) });
  });

  it('splits every class 80/20 with seed 0, as randomSplit (read_split_data) does, and prints the counts', () => {
    expect(result.classes).toEqual(CLASSES);
    expect(result.classCounts).toEqual([10, 10, 10]);
    expect(result.trainCounts).toEqual([8, 8, 8]);
    expect(result.valCounts).toEqual([2, 2, 2]);
    const ds = new ImageFolder(data);
    const files = (seed: number) => randomSplit(ds, { valRate: 0.2, seed }).val.indices.map((i) => relative(data, String(ds.item(i).source)));
    expect(result.valFiles).toEqual(files(0));
    expect(files(1)).not.toEqual(files(0)); // the seed matters, so the check above pins seed 0
    expect(lines.some((l) => l.includes('30 images in 3 classes') && l.includes('green_dots 10'))).toBe(true);
    expect(lines.some((l) => l.includes('24 for training, 6 for validation (20% of each class, seed 0)'))).toBe(true);
  });

  it('loads the checkpoint with strict=False: its 10-class head dropped, its pre-logits unexpected, both reported', () => {
    expect(result.load).not.toBeNull();
    expect(result.load!.droppedKeys.sort()).toEqual(['head.bias', 'head.weight']);
    expect(result.load!.missingKeys).toEqual([]);
    expect(result.load!.loaded).toBe(4 + 2 * 12 + 2); // patch_embed 2, cls, pos, 12 per block, norm 2
    expect(result.load!.unexpectedKeys.sort()).toEqual(['pre_logits.fc.bias', 'pre_logits.fc.weight']);
    expect(result.trainable.sort()).toEqual(['head.bias', 'head.weight']);
  });

  it('trains only the head: every backbone tensor is bit-identical to the checkpoint; the head is new', () => {
    const before = readTensors(weights);
    const after = readTensors(result.files.weights);
    expect([...after.keys()].sort()).toEqual([...before.keys()].filter((k) => !k.startsWith('pre_logits.')).sort());
    let compared = 0;
    for (const [k, a] of after) {
      const b = before.get(k)!;
      if (k.startsWith('head.')) {
        expect(a.shape[0]).toBe(3);
        expect(b.shape[0]).toBe(10);
        continue;
      }
      expect(a.shape).toEqual(b.shape);
      expect(Buffer.from(a.data.buffer).equals(Buffer.from(b.data.buffer)), k).toBe(true);
      compared += 1;
    }
    expect(compared).toBeGreaterThan(20);
  });

  it('the training loss falls and the outputs exist', () => {
    const h = result.history;
    expect(h.length).toBe(4);
    expect(h.at(-1)!.trainLoss).toBeLessThan(h[0].trainLoss);
    for (const f of Object.values(result.files)) expect(existsSync(f), f).toBe(true);
    expect(readFileSync(result.files.labels, 'utf8')).toBe(CLASSES.join('\n') + '\n');
    expect([...readFileSync(result.files.curvePng).subarray(1, 4)].map((c) => String.fromCharCode(c)).join('')).toBe('PNG');
    const saved = JSON.parse(readFileSync(result.files.results, 'utf8'));
    expect(saved.eval.count).toBe(6);
    expect(saved.eval.confusion.flat().reduce((a: number, b: number) => a + b, 0)).toBe(6);
    expect(saved.eval.perClassAccuracy.length).toBe(3);
    const csv = readFileSync(join(out, 'metrics.csv'), 'utf8').trim().split('\n');
    expect(csv.filter((l) => l.startsWith('epoch,')).length).toBe(4);
  });

  it('model.safetensors records what its shapes cannot say: heads, preprocessing, class names', () => {
    const ckpt = openSafetensors(bytesSource(new Uint8Array(readFileSync(result.files.weights))));
    const meta = readModelMeta(ckpt.meta.metadata);
    ckpt.close();
    expect(meta).toEqual({ numHeads: 2, dataConfig: result.dataConfig, labels: CLASSES });
    expect(result.dataConfig.inputSize).toEqual([3, 32, 32]);
  });

  it('with preLogits it loads the pre-logits layer and trains it with the head', async () => {
    const r = await fineTune({ data, weights, model: { ...TINY, representationSize: 32 }, mode: 'freeze-backbone', preLogits: true, epochs: 1, batchSize: 8, out: join(root, 'pre'), progress: false, log: () => {} });
    expect(r.load!.unexpectedKeys).toEqual([]);
    expect(r.load!.loaded).toBe(4 + 2 * 12 + 2 + 2);
    expect(r.trainable.sort()).toEqual(['head.bias', 'head.weight', 'pre_logits.fc.bias', 'pre_logits.fc.weight']);
  });

  it('says loudly when it trains from random init', async () => {
    const quiet: string[] = [];
    const r = await fineTune({ data, model: TINY, mode: 'freeze-backbone', epochs: 1, batchSize: 8, out: join(root, 'random'), progress: false, log: (s) => quiet.push(s) });
    expect(r.load).toBeNull();
    expect(quiet.some((l) => l.includes('RANDOM INIT') && l.includes('near-chance'))).toBe(true);
    expect(lines.some((l) => l.includes('RANDOMLY'))).toBe(false);
    expect(lines.some((l) => /dropped .*head\.weight/.test(l))).toBe(true);
  });
});

describe('fineTune --linear-probe: the head on features computed once', () => {
  const data = join(root, 'lp');
  const weights = join(root, 'lp_pretrained.safetensors');

  beforeAll(async () => {
    await tf.setBackend('cpu');
    await makeFolder(data);
    const pretrained = createViT({ ...TINY, numClasses: 10 });
    await saveSafetensors(pretrained, weights, { metadata: { format: 'pt' } });
    pretrained.dispose();
  });

  it('trains only head.*, runs the backbone once per image, and learns the generated classes', async () => {
    const lines: string[] = [];
    const r = await fineTune({ data, weights, model: TINY, mode: 'linear-probe', epochs: 30, batchSize: 8, lr: 0.05, out: join(root, 'lp-run'), progress: false, log: (s) => lines.push(s) });
    expect(r.trainable.sort()).toEqual(['head.bias', 'head.weight']);
    expect(lines.filter((l) => l.startsWith('features (')).at(-1)).toMatch(/features \(val\): 6\/6 images/);
    expect(lines.some((l) => /features: 30 images × 32 in .* s; the backbone is not run again/.test(l))).toBe(true);
    expect(r.history.at(-1)!.trainLoss).toBeLessThan(r.history[0].trainLoss);
    expect(r.eval.top1).toBeGreaterThan(0.5); // 3 classes of distinct colours: far above chance (1/3)
    const before = readTensors(weights);
    for (const [k, a] of readTensors(r.files.weights)) {
      if (!k.startsWith('head.')) expect(Buffer.from(a.data.buffer).equals(Buffer.from(before.get(k)!.data.buffer)), k).toBe(true);
    }
  });

  it('a corrupt image stops the run naming its path; skipBadImages leaves it out and counts it in the result', async () => {
    const dirty = join(root, 'dirty');
    await makeFolder(dirty);
    writeFileSync(join(dirty, CLASSES[1], 'img_3.png'), readFileSync(join(dirty, CLASSES[1], 'img_3.png')).subarray(0, 60)); // truncated
    writeFileSync(join(dirty, CLASSES[2], 'notes.jpg'), 'not an image');
    const opts = { data: dirty, weights, model: TINY, mode: 'linear-probe' as const, epochs: 2, batchSize: 8, progress: false };
    await expect(fineTune({ ...opts, out: join(root, 'dirty-raise'), log: () => {} })).rejects.toThrow(/img_3\.png|notes\.jpg/);
    const lines: string[] = [];
    const r = await fineTune({ ...opts, out: join(root, 'dirty-skip'), skipBadImages: true, log: (l) => lines.push(l) });
    expect(r.skippedImages.count).toBe(2);
    expect([...r.skippedImages.files].sort()).toEqual([join(CLASSES[1], 'img_3.png'), join(CLASSES[2], 'notes.jpg')]);
    expect(lines.some((l) => /^skipped 2 images that failed to decode: /.test(l))).toBe(true);
    const saved = JSON.parse(readFileSync(r.files.results, 'utf8'));
    expect(saved.skippedImages).toEqual(r.skippedImages);
    expect(r.eval.count + r.skippedImages.files.filter((f) => r.valFiles.includes(f)).length).toBe(r.valFiles.length);
  });

  it('resumes from last/ exactly: a 4-epoch run stopped after 2 and resumed equals an uninterrupted one', async () => {
    const opts = { data, weights, model: TINY, mode: 'linear-probe' as const, batchSize: 8, lr: 0.05, epochs: 4, progress: false, log: () => {} };
    const whole = await fineTune({ ...opts, out: join(root, 'lp-whole') });
    const stopAfter2 = { onEpochEnd: (l: { epoch: number }, t: { stopTraining: boolean }) => { if (l.epoch === 1) t.stopTraining = true; } };
    const cut = await fineTune({ ...opts, out: join(root, 'lp-split'), callbacks: [stopAfter2] });
    expect(cut.history).toHaveLength(2);
    const lines: string[] = [];
    const resumed = await fineTune({ ...opts, out: join(root, 'lp-split'), resume: true, log: (s) => lines.push(s) });
    expect(lines.some((l) => /resumed from .*last: 2 of 4 epochs done/.test(l))).toBe(true);
    expect(resumed.history.map((h) => h.trainLoss)).toEqual(whole.history.map((h) => h.trainLoss));
    const a = readTensors(whole.files.weights).get('head.weight')!;
    const b = readTensors(resumed.files.weights).get('head.weight')!;
    expect(Buffer.from(a.data.buffer).equals(Buffer.from(b.data.buffer))).toBe(true);
  });

  it('full fine-tuning trains every tensor; bad datasets are typed errors naming the folder', async () => {
    const r = await fineTune({ data, weights, model: TINY, mode: 'full', epochs: 1, batchSize: 8, out: join(root, 'full'), progress: false, log: () => {} });
    expect(r.trainable).toContain('blocks.0.attn.qkv.weight');
    const bad = join(root, 'bad');
    mkdirSync(join(bad, 'cats'), { recursive: true });
    mkdirSync(join(bad, 'dogs'), { recursive: true });
    writeFileSync(join(bad, 'cats', 'a.png'), readFileSync(join(data, CLASSES[0], 'img_0.png')));
    writeFileSync(join(bad, 'dogs', 'notes.txt'), 'no images here');
    const err = await fineTune({ data: bad, model: TINY, out: join(root, 'x'), log: () => {} }).catch((e) => e);
    expect(err).toBeInstanceOf(DatasetError);
    expect(err.message).toMatch(/class folder .*dogs has no files with extensions/);
    await expect(fineTune({ data: join(root, 'nope'), model: TINY, log: () => {} })).rejects.toThrow(/nope is not a directory/);
  });
});
