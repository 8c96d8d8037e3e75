// withZeroInit: every initialiser gives zeros inside the scope (nested too, restored after a throw)
// and draws as before outside it.
import * as tf from '@tensorflow/tfjs-core';
import { describeBackends, tensorGrowth } from '@tfjs-vit/testing';
import { expect, it } from 'vitest';
import { Block } from './block';
import { initWeight, isZeroInit, normalInit, torchDefaultInit, truncNormalInit, withZeroInit } from './init';

const allZero = (t: tf.Tensor) => Array.from(t.dataSync()).every((v) => v === 0);

describeBackends('withZeroInit', () => {
  it('makes every initialiser return zeros inside, and random values again outside', () => {
    const make = () => [initWeight([8, 6], 8, 'timm'), initWeight([8, 6], 8, 'torch'), truncNormalInit([5, 7]), torchDefaultInit([4, 3], 4), normalInit([1, 1, 9], 0, 1)];
    const inside = withZeroInit(make);
    for (const t of inside) expect(allZero(t), String(t.shape)).toBe(true);
    const outside = make();
    for (const t of outside) expect(allZero(t), String(t.shape)).toBe(false);
    tf.dispose([...inside, ...outside]);
  });

  it('builds a Block whose Linear weights are zeros (LayerNorm weights still ones), nested scopes and throws restore the mode', () => {
    const block = withZeroInit(() => withZeroInit(() => new Block(16, 2, { qkvBias: true })));
    expect(isZeroInit()).toBe(false);
    const sd = block.stateDict();
    expect(allZero(sd.get('attn.qkv.weight')!)).toBe(true);
    expect(allZero(sd.get('mlp.fc2.weight')!)).toBe(true);
    expect(Array.from(sd.get('norm1.weight')!.dataSync()).every((v) => v === 1)).toBe(true);
    tf.dispose([...sd.values()]);
    block.dispose();
    expect(() => withZeroInit(() => { throw new Error('boom'); })).toThrow('boom');
    expect(isZeroInit()).toBe(false);
    expect(tensorGrowth(() => withZeroInit(() => truncNormalInit([3, 3])))).toBe(0);
  });
});
