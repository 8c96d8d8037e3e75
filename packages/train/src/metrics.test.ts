import * as tf from '@tensorflow/tfjs-core';
import { describeBackends, loadFixture } from '@tfjs-vit/testing';
import { expect, it } from 'vitest';
import { ConfusionMatrix, topKAccuracy, topKCorrect } from './metrics';

const fx = loadFixture(new URL('../fixtures/losses.safetensors', import.meta.url));

describeBackends('metrics vs torch', () => {
  it('top-1 / top-3 / top-5 accuracy', () => {
    const logits = fx.tensor('metrics.logits');
    const labels = fx.tensor('metrics.labels');
    for (const k of [1, 3, 5]) expect(topKAccuracy(logits, labels, k)).toBeCloseTo(fx.data(`metrics.top${k}`)[0], 6);
    expect(topKCorrect(logits, labels, 100)).toBe(labels.size); // k larger than C: everything is a hit
    tf.dispose([logits, labels]);
  });

  it('confusion matrix and per-class accuracy (NaN for absent classes)', () => {
    const logits = fx.tensor('metrics.logits');
    const labels = fx.tensor('metrics.labels');
    const cm = new ConfusionMatrix(9);
    const half = 20;
    // two updates must add up to the whole batch
    cm.update(tf.slice(logits, [0, 0], [half, 9]), tf.slice(labels, [0], [half]));
    cm.update(tf.slice(logits, [half, 0], [40 - half, 9]), tf.slice(labels, [half], [40 - half]));
    expect(Array.from(cm.counts)).toEqual(Array.from(fx.data('metrics.confusion')));
    const want = Array.from(fx.data('metrics.per_class'));
    cm.perClassAccuracy().forEach((v, i) => (Number.isNaN(want[i]) ? expect(v).toBeNaN() : expect(v).toBeCloseTo(want[i], 6)));
    expect(cm.accuracy()).toBeCloseTo(fx.data('metrics.top1')[0], 6);
    expect(cm.total).toBe(40);
    expect(cm.matrix[0].length).toBe(9);
  });

  it('rejects mismatched shapes and out-of-range classes', () => {
    expect(() => topKCorrect(tf.zeros([2, 3]), tf.zeros([3], 'int32'))).toThrow(/expected \[2\]/);
    expect(() => new ConfusionMatrix(3).add([3], [0])).toThrow(/out of range/);
    expect(() => new ConfusionMatrix(0)).toThrow(/numClasses/);
  });
});
