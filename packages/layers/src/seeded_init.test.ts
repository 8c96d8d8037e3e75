// withSeededInit: the same seed builds the same weights, another seed others, and outside the
// scope initialisers draw unseeded as before.
import * as tf from '@tensorflow/tfjs-core';
import { describeBackends } from '@tfjs-vit/testing';
import { expect, it } from 'vitest';
import { Block } from './block';
import { withSeededInit } from './init';

const weights = (b: Block) => {
  const sd = b.stateDict();
  const out = [...sd].map(([k, t]) => [k, Array.from(t.dataSync())] as const);
  tf.dispose([...sd.values()]);
  return out;
};

describeBackends('withSeededInit', () => {
  it('is reproducible per seed, different across seeds and outside the scope', () => {
    const build = () => new Block(16, 2, { qkvBias: true });
    const [a, b, c, d] = [withSeededInit(0, build), withSeededInit(0, build), withSeededInit(1, build), build()];
    expect(weights(a)).toEqual(weights(b));
    expect(weights(c)).not.toEqual(weights(a));
    expect(weights(d)).not.toEqual(weights(a));
    const qkv = weights(a).find(([k]) => k === 'attn.qkv.weight')![1];
    const fc1 = weights(a).find(([k]) => k === 'mlp.fc1.weight')![1];
    expect(qkv.slice(0, 8)).not.toEqual(fc1.slice(0, 8)); // each initialiser call gets its own seed
    for (const m of [a, b, c, d]) m.dispose();
  });
});
