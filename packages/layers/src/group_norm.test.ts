// GroupNorm / GroupNormAct against PyTorch and timm (gen_timm_hybrid.py).
import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError, ShapeError } from '@tfjs-vit/ops';
import { describeBackends, expectClose, tensorGrowth } from '@tfjs-vit/testing';
import { expect, it } from 'vitest';
import { Tanh } from './activation';
import { Linear } from './linear';
import { GroupNorm, GroupNormAct, groupNorm } from './group_norm';
import { checkParity, expectSameStateDict, fixture, nchwToNhwc } from './parity.testutil';

const nhwc = { input: nchwToNhwc, output: nchwToNhwc };

describeBackends('GroupNorm / GroupNormAct', () => {
  it('GroupNorm(3, 12) matches torch nn.GroupNorm (shifted, scaled input), with gradients', () => {
    const gn = new GroupNorm(3, 12);
    const f = fixture('group_norm');
    expectSameStateDict(gn, f);
    checkParity(gn, f, (x) => gn.forward(x), nhwc);
  });

  it('GroupNormAct(16, 4 groups) matches timm (norm + ReLU), with gradients', () => {
    const gn = new GroupNormAct(16, { numGroups: 4 });
    checkParity(gn, fixture('group_norm_act'), (x) => gn.forward(x), nhwc);
  });

  it('groups are contiguous channel runs; a sample never sees another; groupSize and custom act', () => {
    tf.tidy(() => {
      const x = tf.randomNormal([2, 3, 3, 8], 0, 1, 'float32', 4);
      const y = groupNorm(x, 2);
      // first group = channels 0..3 of sample 0, normalised on its own
      const g0 = tf.slice(x, [0, 0, 0, 0], [1, 3, 3, 4]);
      const { mean, variance } = tf.moments(g0);
      expectClose(tf.slice(y, [0, 0, 0, 0], [1, 3, 3, 4]), tf.div(tf.sub(g0, mean), tf.sqrt(tf.add(variance, 1e-5))), 1e-5);
      expectClose(tf.slice(groupNorm(tf.concat([x, tf.mul(x, 100)], 0), 2), [0, 0, 0, 0], [2, 3, 3, 8]), y, 1e-5);
      expect(new GroupNormAct(8, { groupSize: 4 }).numGroups).toBe(2);
      const tanh = new GroupNormAct(8, { numGroups: 2, actLayer: () => new Tanh() });
      expectClose(tanh.forward(x), tf.tanh(y), 1e-6);
      expect([...tanh.stateDict().keys()]).toEqual(['weight', 'bias']);
      const noAct = new GroupNormAct(8, { numGroups: 2, applyAct: false });
      expectClose(noAct.forward(x), y, 1e-6);
    });
  });

  it('typed errors; no leaks', () => {
    expect(() => new GroupNorm(3, 8)).toThrow(/numChannels \(8\) must be divisible by numGroups \(3\)/);
    expect(() => new GroupNormAct(48)).toThrow(ArgumentError);
    expect(() => new GroupNormAct(8, { numGroups: 2, actLayer: () => new Linear(8, 8) })).toThrow(/no parameters/);
    const gn = new GroupNormAct(8, { numGroups: 2 });
    expect(() => gn.forward(tf.zeros([1, 4, 4, 6]))).toThrow(ShapeError);
    expect(() => groupNorm(tf.zeros([4]), 2)).toThrow(ShapeError);
    const x = tf.ones([2, 4, 4, 8]);
    expect(tensorGrowth(() => gn.forward(x))).toBe(0);
    x.dispose();
    gn.dispose();
  });
});
