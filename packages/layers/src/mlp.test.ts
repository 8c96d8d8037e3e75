import * as tf from '@tensorflow/tfjs-core';
import { describeBackends, tensorGrowth } from '@tfjs-vit/testing';
import { expect, it } from 'vitest';
import { GELU } from './activation';
import { LayerNorm } from './layer_norm';
import { Mlp } from './mlp';
import { checkParity, expectSameStateDict, fixture } from './parity.testutil';

describeBackends('Mlp', () => {
  it('matches timm Mlp (exact GELU) forward and gradients; hidden = 4x by default', () => {
    const mlp = new Mlp(8);
    expect(mlp.fc1.outFeatures).toBe(32);
    const fx = fixture('mlp');
    expectSameStateDict(mlp, fx);
    checkParity(mlp, fx, (x) => mlp.forward(x));
    mlp.dispose();
  });

  it('matches timm Mlp with tanh GELU, explicit hidden and out features', () => {
    const mlp = new Mlp(8, { hiddenFeatures: 16, outFeatures: 6, actLayer: () => new GELU({ approximate: 'tanh' }) });
    checkParity(mlp, fixture('mlp_tanh'), (x) => mlp.forward(x));
    mlp.dispose();
  });

  it("uses timm's child names, including an optional hidden norm", () => {
    const mlp = new Mlp(4, { mlpRatio: 2, normLayer: (d) => new LayerNorm(d), bias: [true, false] });
    expect(mlp.children().map(([k]) => k)).toEqual(['fc1', 'act', 'drop1', 'norm', 'fc2', 'drop2']);
    expect(mlp.namedParameters().map(([k]) => k)).toEqual(['fc1.weight', 'fc1.bias', 'norm.weight', 'norm.bias', 'fc2.weight']);
    mlp.dispose();
  });

  it('drops only in training mode', () => {
    const mlp = new Mlp(16, { drop: 0.5 });
    const x = tf.randomNormal([4, 16]);
    mlp.eval();
    const a = mlp.forward(x);
    const b = mlp.forward(x);
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    mlp.train();
    const c = mlp.forward(x);
    expect(Array.from(c.dataSync()).filter((v) => v === 0).length).toBeGreaterThan(0);
    tf.dispose([x, a, b, c]);
    mlp.dispose();
  });

  it('does not leak tensors (train and eval)', () => {
    const mlp = new Mlp(8, { drop: 0.1 });
    const x = tf.randomNormal([2, 3, 8]);
    expect(tensorGrowth(() => mlp.forward(x))).toBe(0);
    mlp.eval();
    expect(tensorGrowth(() => mlp.forward(x))).toBe(0);
    x.dispose();
    mlp.dispose();
  });
});
