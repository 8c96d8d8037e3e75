import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError, ShapeError } from '@tfjs-vit/ops';
import { describeBackends, tensorGrowth } from '@tfjs-vit/testing';
import { expect, it } from 'vitest';
import { Conv2d } from './conv2d';
import { checkParity, expectSameStateDict, fixture, nchwToNhwc } from './parity.testutil';

const nhwc = { input: nchwToNhwc, output: nchwToNhwc };

describeBackends('Conv2d', () => {
  it('matches torch nn.Conv2d k=3 stride 2 padding 1 (NHWC in, OIHW state dict)', () => {
    const conv = new Conv2d(4, 6, 3, { stride: 2, padding: 1 });
    const fx = fixture('conv2d_k3s2p1');
    expectSameStateDict(conv, fx);
    checkParity(conv, fx, (x) => conv.forward(x), nhwc);
    conv.dispose();
  });

  it("matches padding 'same' with an even kernel (asymmetric, as PyTorch)", () => {
    const conv = new Conv2d(4, 6, 4, { padding: 'same' });
    expect(conv.pads).toEqual([1, 2, 1, 2]);
    checkParity(conv, fixture('conv2d_k4same'), (x) => conv.forward(x), nhwc);
    conv.dispose();
  });

  it("matches padding 'valid' with groups=2 and no bias", () => {
    const conv = new Conv2d(4, 6, 3, { padding: 'valid', groups: 2, bias: false });
    checkParity(conv, fixture('conv2d_k3valid_g2'), (x) => conv.forward(x), nhwc);
    conv.dispose();
  });

  it('rejects bad arguments and inputs with typed errors', () => {
    expect(() => new Conv2d(4, 6, 3, { groups: 4 })).toThrow(ArgumentError);
    expect(() => new Conv2d(4, 6, 2, { stride: 2, padding: 'same' })).toThrow(ArgumentError);
    const conv = new Conv2d(4, 6, 3);
    const x = tf.zeros([1, 4, 8, 8]); // NCHW by mistake
    expect(() => conv.forward(x)).toThrow(ShapeError);
    expect(() => conv.forward(x)).toThrow('[B, H, W, 4], got [1, 4, 8, 8]');
    x.dispose();
    conv.dispose();
  });

  it('does not leak tensors', () => {
    const conv = new Conv2d(4, 6, 3, { padding: 1, groups: 2 });
    const x = tf.ones([1, 5, 5, 4]);
    expect(tensorGrowth(() => conv.forward(x))).toBe(0);
    x.dispose();
    conv.dispose();
  });
});
