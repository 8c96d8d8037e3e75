// StdConv2d / StdConv2dSame and the TF-"SAME" padding helpers against timm (gen_timm_hybrid.py).
import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError, ShapeError } from '@tfjs-vit/ops';
import { describeBackends, expectClose, tensorGrowth } from '@tfjs-vit/testing';
import { expect, it } from 'vitest';
import { checkParity, expectSameStateDict, fixture, nchwToNhwc } from './parity.testutil';
import { padSame, sameOutputSize, samePadding, samePads } from './same_padding';
import { standardizeWeight, StdConv2d, StdConv2dSame } from './std_conv';

const nhwc = { input: nchwToNhwc, output: nchwToNhwc };

it('samePadding is TensorFlow\'s SAME: total (ceil(n/s) - 1)·s + k - n, the extra pixel after', () => {
  expect(samePadding(224, 7, 2)).toEqual([2, 3]);
  expect(samePadding(112, 3, 2)).toEqual([0, 1]);
  expect(samePadding(15, 3, 2)).toEqual([1, 1]);
  expect(samePadding(9, 1, 2)).toEqual([0, 0]);
  expect(samePadding(5, 4, 1)).toEqual([1, 2]);
  expect(samePadding(2, 7, 4)).toEqual([2, 3]);
  expect(samePads([11, 12], [3, 3], [2, 2])).toEqual([1, 1, 0, 1]);
  expect(sameOutputSize(11, 12, [2, 2])).toEqual([6, 6]);
  expect(() => samePadding(0, 3, 1)).toThrow(ArgumentError);
  expect(() => samePadding(4, 3, 1.5)).toThrow(/stride must be a positive integer, got 1.5/);
});

describeBackends('StdConv2d / StdConv2dSame', () => {
  it('StdConv2dSame(5, 8, 3, stride 2, eps 1e-8) matches timm on an 11x12 input (asymmetric pads), with gradients', () => {
    const conv = new StdConv2dSame(5, 8, 3, { stride: 2, eps: 1e-8 });
    const f = fixture('std_conv_same');
    expectSameStateDict(conv, f);
    expect(conv.outputSize(11, 12)).toEqual([6, 6]);
    checkParity(conv, f, (x) => conv.forward(x), nhwc);
  });

  it('StdConv2d(4, 6, 3, bias, groups 2) matches timm (symmetric timm padding, eps 1e-6), with gradients', () => {
    const conv = new StdConv2d(4, 6, 3, { bias: true, groups: 2 });
    expect(conv.pads).toEqual([1, 1, 1, 1]);
    expect(conv.eps).toBe(1e-6);
    checkParity(conv, fixture('std_conv'), (x) => conv.forward(x), nhwc);
  });

  it('standardizes each output filter to mean 0, variance 1; a scaled kernel gives the same output', () => {
    tf.tidy(() => {
      const w = tf.add(tf.mul(tf.randomNormal([3, 3, 4, 5], 0, 1, 'float32', 1), 3), 2) as tf.Tensor4D;
      const ws = standardizeWeight(w, 1e-8);
      const { mean, variance } = tf.moments(ws, [0, 1, 2]);
      expectClose(mean, tf.zeros([5]), 1e-5);
      expectClose(variance, tf.ones([5]), 1e-4);
      const conv = new StdConv2dSame(4, 5, 3, { eps: 1e-8 });
      const x = tf.randomNormal([1, 6, 6, 4], 0, 1, 'float32', 2);
      const y = conv.forward(x);
      conv.weight.value.assign(tf.mul(conv.weight.value, 7));
      expectClose(conv.forward(x), y, 1e-4);
      conv.dispose();
    });
  });

  it('padSame pads only when needed, with the given value', () => {
    tf.tidy(() => {
      const x = tf.ones([1, 4, 4, 1]) as tf.Tensor4D;
      expect(padSame(x, [1, 1], [2, 2])).toBe(x);
      const p = padSame(x, [3, 3], [2, 2], -5);
      expect(p.shape).toEqual([1, 5, 5, 1]);
      expect(Array.from(p.dataSync()).filter((v) => v === -5).length).toBe(9);
    });
  });

  it('typed errors for bad arguments and inputs; no leaks', () => {
    expect(() => new StdConv2d(3, 8, 3, { eps: 0 })).toThrow(ArgumentError);
    expect(() => new StdConv2dSame(3, 8, 0)).toThrow(ArgumentError);
    const conv = new StdConv2dSame(3, 8, 3, { stride: 2 });
    expect(() => conv.forward(tf.zeros([1, 8, 8, 4]))).toThrow(/StdConv2dSame: expected NHWC input \[B, H, W, 3\], got \[1, 8, 8, 4\]/);
    expect(() => conv.forward(tf.zeros([8, 8, 3]))).toThrow(ShapeError);
    const x = tf.ones([1, 9, 7, 3]);
    expect(conv.forward(x).shape).toEqual([1, 5, 4, 8]);
    expect(tensorGrowth(() => conv.forward(x))).toBe(0);
    x.dispose();
    conv.dispose();
  });
});
