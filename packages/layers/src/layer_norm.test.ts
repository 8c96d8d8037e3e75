import * as tf from '@tensorflow/tfjs-core';
import { ShapeError } from '@tfjs-vit/ops';
import { describeBackends, tensorGrowth } from '@tfjs-vit/testing';
import { expect, it } from 'vitest';
import { LayerNorm } from './layer_norm';
import { checkParity, expectSameStateDict, fixture } from './parity.testutil';

describeBackends('LayerNorm', () => {
  it('matches torch nn.LayerNorm(eps=1e-6) forward and gradients', () => {
    const norm = new LayerNorm(8);
    const fx = fixture('layer_norm');
    expect(norm.eps).toBe(Number(fx.meta.eps));
    expectSameStateDict(norm, fx);
    checkParity(norm, fx, (x) => norm.forward(x));
    norm.dispose();
  });

  it('starts as weight 1, bias 0, and takes an explicit eps', () => {
    const norm = new LayerNorm(4, { eps: 1e-5 });
    expect(norm.eps).toBe(1e-5);
    expect(Array.from(norm.weight!.value.dataSync())).toEqual([1, 1, 1, 1]);
    expect(Array.from(norm.bias!.value.dataSync())).toEqual([0, 0, 0, 0]);
    expect(new LayerNorm(4, { affine: false }).namedParameters()).toEqual([]);
    norm.dispose();
  });

  it('rejects a wrong last axis', () => {
    const norm = new LayerNorm(8);
    const x = tf.zeros([2, 4]);
    expect(() => norm.forward(x)).toThrow(ShapeError);
    x.dispose();
    norm.dispose();
  });

  it('does not leak tensors', () => {
    const norm = new LayerNorm(8);
    const x = tf.randomNormal([2, 3, 8]);
    expect(tensorGrowth(() => norm.forward(x))).toBe(0);
    x.dispose();
    norm.dispose();
  });
});
