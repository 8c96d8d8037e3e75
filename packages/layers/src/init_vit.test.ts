import * as tf from '@tensorflow/tfjs-core';
import { describeBackends } from '@tfjs-vit/testing';
import { expect, it } from 'vitest';
import { Block } from './block';
import { initWeightsVit } from './init_vit';

describeBackends('initWeightsVit', () => {
  it('sets Linear weights to trunc normal 0.02 with zero biases and norms to ones/zeros', () => {
    const block = new Block(64, 4, { qkvBias: true, initValues: 0.5 });
    for (const [, p] of block.namedParameters()) p.variable.assign(tf.fill(p.shape, 3));
    const before = tf.memory().numTensors;
    initWeightsVit(block);
    expect(tf.memory().numTensors).toBe(before);
    const params = new Map(block.namedParameters());
    const w = Array.from(params.get('mlp.fc1.weight')!.value.dataSync());
    const std = Math.sqrt(w.reduce((s, v) => s + v * v, 0) / w.length);
    expect(std).toBeGreaterThan(0.017);
    expect(std).toBeLessThan(0.023);
    expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(2);
    for (const key of ['attn.qkv.bias', 'attn.proj.bias', 'mlp.fc2.bias', 'norm1.bias']) {
      expect(Array.from(params.get(key)!.value.dataSync()).every((v) => v === 0), key).toBe(true);
    }
    expect(Array.from(params.get('norm2.weight')!.value.dataSync()).every((v) => v === 1)).toBe(true);
    expect(Array.from(params.get('ls1.gamma')!.value.dataSync()).every((v) => v === 3)).toBe(true); // untouched, as timm
    block.dispose();
  });
});
