import * as tf from '@tensorflow/tfjs-core';
import { describeBackends, maxAbsDiff, tensorGrowth } from '@tfjs-vit/testing';
import { expect, it } from 'vitest';
import { ModelEma } from './ema';
import { TinyMLP } from './test_model';

describeBackends('ModelEma', () => {
  it('follows ema ← d·ema + (1−d)·model, swaps, round-trips its state dict, leaks nothing', () => {
    const model = new TinyMLP();
    const ema = new ModelEma(model, { decay: 0.9 });
    const w0 = Float32Array.from(model.fc1.weight.value.dataSync());
    tf.tidy(() => model.fc1.weight.variable.assign(tf.add(model.fc1.weight.value, 1)));
    ema.update(model);
    const want = w0.map((v) => 0.9 * v + 0.1 * (v + 1));
    expect(maxAbsDiff(ema.stateDict().get('fc1.weight')!, want)).toBeLessThan(1e-6);
    ema.swapInto(model);
    expect(maxAbsDiff(model.fc1.weight.value, want)).toBeLessThan(1e-6);
    ema.swapInto(model);
    expect(maxAbsDiff(model.fc1.weight.value, w0.map((v) => v + 1))).toBeLessThan(1e-6);
    const other = new ModelEma(new TinyMLP(6, 8, 3, 3));
    const sd = ema.stateDict();
    other.loadStateDict(sd);
    expect(maxAbsDiff(other.stateDict().get('fc1.weight')!, want)).toBeLessThan(1e-6);
    expect(tensorGrowth(() => ema.update(model))).toBe(0);
    const bigger = new TinyMLP();
    bigger.registerModule('extra', new TinyMLP());
    expect(() => ema.update(bigger)).toThrow(/expected the 5 parameters/);
    expect(() => new ModelEma(model, { decay: 2 })).toThrow(/decay/);
  });
});
