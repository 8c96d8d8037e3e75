import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError, gelu, geluTanh } from '@tfjs-vit/ops';
import { describeBackends, expectClose, tensorGrowth } from '@tfjs-vit/testing';
import { expect, it } from 'vitest';
import { GELU, Tanh } from './activation';

describeBackends('GELU / Tanh modules', () => {
  it('GELU calls the exact or tanh-approximate op; Tanh is tf.tanh', () => {
    const x = tf.linspace(-4, 4, 17);
    const exact = gelu(x);
    const approx = geluTanh(x);
    expectClose(new GELU().forward(x), exact, 0);
    expectClose(new GELU({ approximate: 'tanh' }).forward(x), approx, 0);
    expectClose(new Tanh().forward(x), tf.tanh(x), 0);
    expect(new GELU().namedParameters()).toEqual([]);
    tf.dispose([x, exact, approx]);
  });

  it('rejects an unknown approximation', () => {
    expect(() => new GELU({ approximate: 'sigmoid' as 'tanh' })).toThrow(ArgumentError);
  });

  it('does not leak tensors', () => {
    const x = tf.randomNormal([3, 5]);
    const act = new GELU();
    expect(tensorGrowth(() => act.forward(x))).toBe(0);
    x.dispose();
  });
});
