import * as tf from '@tensorflow/tfjs-core';
import { describeBackends, expectClose, tensorGrowth } from '@tfjs-vit/testing';
import { expect, it } from 'vitest';
import { GELU } from './activation';
import { Block } from './block';
import { Identity } from './containers';
import { DropPath } from './drop_path';
import { LayerScale } from './layer_scale';
import { checkParity, expectSameStateDict, fixture } from './parity.testutil';

describeBackends('Block', () => {
  it('matches timm Block with LayerScale, qkv bias and drop path (eval): output, attention, gradients', () => {
    const block = new Block(16, 4, { qkvBias: true, initValues: 1e-5, dropPath: 0.1 });
    expect(block.ls1).toBeInstanceOf(LayerScale);
    expect(block.dropPath2).toBeInstanceOf(DropPath);
    const fx = fixture('block_ls');
    expectSameStateDict(block, fx);
    checkParity(block, fx, (x) => {
      const { output, attention } = block.forwardWithAttention(x);
      return [output, attention];
    });
    block.dispose();
  });

  it('matches timm Block with qk_norm, mlp_ratio 2 and tanh GELU', () => {
    const block = new Block(16, 4, { qkNorm: true, mlpRatio: 2, actLayer: () => new GELU({ approximate: 'tanh' }) });
    const fx = fixture('block_qknorm_tanh');
    expectSameStateDict(block, fx);
    checkParity(block, fx, (x) => block.forward(x));
    block.dispose();
  });

  it("has timm's child names; ls/drop_path are param-free Identity when off", () => {
    const block = new Block(8, 2);
    expect(block.children().map(([k]) => k)).toEqual(['norm1', 'attn', 'ls1', 'drop_path1', 'norm2', 'mlp', 'ls2', 'drop_path2']);
    expect(block.ls1).toBeInstanceOf(Identity);
    expect(block.dropPath1).toBeInstanceOf(Identity);
    expect(block.namedParameters().map(([k]) => k)).toEqual([
      'norm1.weight', 'norm1.bias', 'attn.qkv.weight', 'attn.proj.weight', 'attn.proj.bias',
      'norm2.weight', 'norm2.bias', 'mlp.fc1.weight', 'mlp.fc1.bias', 'mlp.fc2.weight', 'mlp.fc2.bias',
    ]);
    block.dispose();
  });

  it('forward equals forwardWithAttention().output', () => {
    const block = new Block(8, 2, { initValues: 0.1 }).eval();
    const x = tf.randomNormal([2, 3, 8]);
    const y = block.forward(x);
    const { output, attention } = block.forwardWithAttention(x);
    expectClose(y, output, 1e-6);
    expect(attention.shape).toEqual([2, 2, 3, 3]);
    tf.dispose([x, y, output, attention]);
    block.dispose();
  });

  it('does not leak tensors (training with drop path, eval)', () => {
    const block = new Block(8, 2, { dropPath: 0.2, initValues: 1e-5, projDrop: 0.1, attnDrop: 0.1 });
    const x = tf.randomNormal([2, 3, 8]);
    expect(tensorGrowth(() => block.forward(x))).toBe(0);
    block.eval();
    expect(tensorGrowth(() => block.forward(x))).toBe(0);
    expect(tensorGrowth(() => Object.values(block.forwardWithAttention(x)))).toBe(0);
    x.dispose();
    block.dispose();
  });
});
