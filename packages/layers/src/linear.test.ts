import * as tf from '@tensorflow/tfjs-core';
import { ShapeError } from '@tfjs-vit/ops';
import { describeBackends, tensorGrowth } from '@tfjs-vit/testing';
import { expect, it } from 'vitest';
import { Linear } from './linear';
import { checkParity, expectSameStateDict, fixture } from './parity.testutil';

describeBackends('Linear', () => {
  it('matches torch nn.Linear (forward and gradients) on a 3-D input', () => {
    const fc = new Linear(6, 5);
    const fx = fixture('linear');
    expectSameStateDict(fc, fx);
    checkParity(fc, fx, (x) => fc.forward(x));
    fc.dispose();
  });

  it('matches torch nn.Linear without bias', () => {
    const fc = new Linear(6, 5, { bias: false });
    checkParity(fc, fixture('linear_nobias'), (x) => fc.forward(x));
    expect(fc.namedParameters().map(([k]) => k)).toEqual(['weight']);
    fc.dispose();
  });

  it('initialises as timm (trunc normal 0.02, zero bias) or as PyTorch', () => {
    const timm = new Linear(64, 256);
    const w = timm.weight.value.dataSync();
    expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(2);
    const std = Math.sqrt(Array.from(w).reduce((s, v) => s + v * v, 0) / w.length);
    expect(std).toBeGreaterThan(0.015);
    expect(std).toBeLessThan(0.025);
    expect(Array.from(timm.bias!.value.dataSync()).every((v) => v === 0)).toBe(true);
    const torch = new Linear(64, 256, { init: 'torch' });
    const tw = torch.weight.value.dataSync();
    expect(Math.max(...tw.map(Math.abs))).toBeLessThanOrEqual(1 / 8);
    expect(Math.max(...tw.map(Math.abs))).toBeGreaterThan(0.1);
    timm.dispose();
    torch.dispose();
  });

  it('rejects a wrong last axis with a ShapeError naming both shapes', () => {
    const fc = new Linear(6, 5);
    const x = tf.zeros([2, 7]);
    expect(() => fc.forward(x)).toThrow(ShapeError);
    expect(() => fc.forward(x)).toThrow('expected input [..., 6], got [2, 7]');
    x.dispose();
    fc.dispose();
  });

  it('does not leak tensors', () => {
    const fc = new Linear(6, 5);
    const x = tf.ones([2, 3, 6]);
    expect(tensorGrowth(() => fc.forward(x))).toBe(0);
    x.dispose();
    fc.dispose();
  });
});
