import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { encodeModelMeta, serializeSafetensors } from '@tfjs-vit/convert';
import { createViT } from '@tfjs-vit/models';
import { describeBackends } from '@tfjs-vit/testing';
import { ImageDecodeError } from '@tfjs-vit/transforms';
import { expect, it } from 'vitest';
import { createClassifier } from './classifier';

const ckpt = fileURLToPath(new URL('../fixtures/test_vit.pth', import.meta.url));
const image = (name: string) => fileURLToPath(new URL(`../fixtures/images/${name}`, import.meta.url));
const tiny = () => createViT({ imgSize: 32, patchSize: 8, embedDim: 32, depth: 1, numHeads: 2, numClasses: 3 });

describeBackends('Classifier', () => {
  it('a bad image throws ImageDecodeError naming it, or with continueOnError is reported and the others go on', async () => {
    const clf = await createClassifier({ weights: tiny(), dataConfig: { inputSize: 32 } });
    const files = [image('rgb.jpg'), image('truncated.jpg'), image('notes.txt'), image('missing.jpg'), image('gray.png')];
    await expect(clf.classify(files)).rejects.toThrow(ImageDecodeError);
    const r = await clf.classify(files, { continueOnError: true, batchSize: 2 });
    expect(r.map((x) => x.image)).toEqual(files);
    expect(r.map((x) => !!x.error)).toEqual([false, true, true, true, false]);
    expect(r[1].error!.message).toMatch(/truncated\.jpg: cannot decode/);
    expect(r[3].error!.message).toMatch(/missing\.jpg: cannot read: no such file/);
    await clf.dispose();
  });

  it('caps topk at the class count, gives null labels without names, refuses labels of the wrong length', async () => {
    const clf = await createClassifier({ weights: tiny() });
    expect(clf.dataConfig.inputSize).toEqual([3, 32, 32]); // a custom architecture keeps its own size
    const [r] = await clf.classify(image('small.png'), { topk: 10 });
    expect(r.top!.map((p) => p.index).sort()).toEqual([0, 1, 2]);
    expect(r.top!.every((p) => p.label === null)).toBe(true);
    expect(r.top!.reduce((s, p) => s + p.prob, 0)).toBeCloseTo(1, 6);
    await clf.dispose();
    await expect(createClassifier({ weights: tiny(), labels: ['a', 'b'] })).rejects.toThrow(/2 names for a head of 3 classes/);
    const named = await createClassifier({ weights: tiny(), labels: ['cat', 'dog', 'bird'], dataConfig: { inputSize: 32 } });
    expect((await named.classify(image('small.png'), { topk: 1 }))[0].top![0].label).toMatch(/cat|dog|bird/);
    await named.dispose();
  });

  it("a safetensors file's metadata gives the heads, preprocessing and labels the shapes cannot", async () => {
    // embedDim 32 with 4 heads: no registered model and no 64-wide-head guess would find 4
    const model = createViT({ imgSize: 32, patchSize: 8, embedDim: 32, depth: 1, numHeads: 4, numClasses: 3 });
    const meta = { numHeads: 4, dataConfig: { inputSize: [3, 40, 40], interpolation: 'bilinear', cropPct: 1, cropMode: 'squash', mean: [0.5], std: [0.25] }, labels: ['cat', 'dog', 'bird'] };
    const bytes = serializeSafetensors(model, { metadata: { format: 'pt', ...encodeModelMeta(meta) } });
    const logits = (m: typeof model) => tf.tidy(() => Array.from(m.forward(tf.fill([1, 40, 40, 3], 0.3)).dataSync()));
    model.eval().setInputSize([40, 40]); // as the classifier does for the recorded input size
    const want = logits(model);
    model.dispose();
    const clf = await createClassifier({ weights: bytes });
    expect(clf.model.config.numHeads).toBe(4);
    expect(clf.labels).toEqual(['cat', 'dog', 'bird']);
    expect(clf.dataConfig).toEqual({ inputSize: [3, 40, 40], interpolation: 'bilinear', cropPct: 1, cropMode: 'squash', mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] });
    expect(clf.notes.join('\n')).toMatch(/preprocessing recorded in the checkpoint's metadata applies/);
    expect(logits(clf.model)).toEqual(want);
    await clf.dispose();
    const overridden = await createClassifier({ weights: bytes, labels: null, dataConfig: { inputSize: 32 } });
    expect([overridden.labels, overridden.dataConfig.inputSize]).toEqual([null, [3, 32, 32]]);
    await overridden.dispose();
  });

  it('resamples pos_embed once for a fixed-size model fed another size, and leaks no tensors', async () => {
    const clf = await createClassifier({ weights: tiny(), dataConfig: { inputSize: 48 } });
    expect(clf.notes.join('\n')).toMatch(/input 48x48 differs from the model's 32x32: pos_embed resampled/);
    await clf.classify(image('rgb.jpg'));
    const before = tf.memory().numTensors;
    await clf.classify([image('rgb.jpg'), image('gray.png')]);
    await clf.embed([image('rgb.jpg')], { pool: 'cls', normalize: true });
    await clf.attention(image('rgb.jpg'));
    expect(tf.memory().numTensors).toBe(before);
    await clf.dispose();
  });

  it('embed: unit vectors with normalize; cls needs a class token', async () => {
    const clf = await createClassifier({ weights: tiny(), dataConfig: { inputSize: 32 } });
    const [e] = await clf.embed(image('rgb.jpg'), { pool: 'cls', normalize: true });
    expect(e.embedding!.length).toBe(32);
    expect(Math.hypot(...e.embedding!)).toBeCloseTo(1, 5);
    await clf.dispose();
    const avg = await createClassifier({ weights: createViT({ imgSize: 32, patchSize: 8, embedDim: 16, depth: 1, numHeads: 2, numClasses: 2, classToken: false, globalPool: 'avg' }), dataConfig: { inputSize: 32 } });
    await expect(avg.embed(image('rgb.jpg'), { pool: 'cls' })).rejects.toThrow(/needs a class token/);
    await avg.dispose();
  });

  it("runtime 'onnxruntime' (onnxruntime-node on our ONNX export) gives the tfjs probabilities", async () => {
    const files = [image('rgb.jpg'), image('tall.tiff'), image('alpha.png')];
    const ref = await createClassifier({ weights: ckpt });
    const ort = await createClassifier({ weights: ckpt, runtime: 'onnxruntime' });
    expect(ort.runtime).toBe('onnxruntime');
    const [a, b] = [await ref.classify(files), await ort.classify(files, { batchSize: 2 })];
    for (let i = 0; i < files.length; i++) {
      expect(b[i].top!.map((p) => p.index)).toEqual(a[i].top!.map((p) => p.index));
      b[i].top!.forEach((p, j) => expect(Math.abs(p.prob - a[i].top![j].prob)).toBeLessThan(1e-5));
    }
    await ref.dispose();
    await ort.dispose();
  });
});
