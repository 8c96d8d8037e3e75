import * as tf from '@tensorflow/tfjs-core';
import { describeBackends, expectClose, tensorGrowth } from '@tfjs-vit/testing';
import { expect, it } from 'vitest';
import { jaxNumHeads, mapJaxKeys } from './map_jax';

const D = 4;
const H = 2;
const HD = D / H;
const B = 'Transformer/encoderblock_0/';
const MHA = `${B}MultiHeadDotProductAttention_1/`;

// Distinct values per element so every transpose/reshape is visible.
const seq = (shape: number[], offset = 0) => tf.add(tf.reshape(tf.range(0, shape.reduce((a, b) => a * b)), shape), offset);

function jaxDict(prefix = ''): Map<string, tf.Tensor> {
  const m = new Map<string, tf.Tensor>([
    ['embedding/kernel', seq([2, 2, 3, D])],
    ['embedding/bias', seq([D])],
    ['cls', seq([1, 1, D])],
    ['Transformer/posembed_input/pos_embedding', seq([1, 5, D])],
    ['Transformer/encoder_norm/scale', seq([D])],
    ['Transformer/encoder_norm/bias', seq([D])],
    ['head/kernel', seq([D, 3])],
    ['head/bias', seq([3])],
    [`${B}LayerNorm_0/scale`, seq([D])],
    [`${B}LayerNorm_0/bias`, seq([D])],
    [`${B}LayerNorm_2/scale`, seq([D])],
    [`${B}LayerNorm_2/bias`, seq([D])],
    [`${MHA}query/kernel`, seq([D, H, HD], 0)],
    [`${MHA}key/kernel`, seq([D, H, HD], 100)],
    [`${MHA}value/kernel`, seq([D, H, HD], 200)],
    [`${MHA}query/bias`, seq([H, HD], 0)],
    [`${MHA}key/bias`, seq([H, HD], 100)],
    [`${MHA}value/bias`, seq([H, HD], 200)],
    [`${MHA}out/kernel`, seq([H, HD, D])],
    [`${MHA}out/bias`, seq([D])],
    [`${B}MlpBlock_3/Dense_0/kernel`, seq([D, 2 * D])],
    [`${B}MlpBlock_3/Dense_0/bias`, seq([2 * D])],
    [`${B}MlpBlock_3/Dense_1/kernel`, seq([2 * D, D])],
    [`${B}MlpBlock_3/Dense_1/bias`, seq([D])],
  ]);
  return new Map([...m].map(([k, v]) => [prefix + k, v]));
}

function at(t: tf.Tensor, ...idx: number[]): number {
  return (t.arraySync() as unknown as number[][][][]).flat(3)[idx.reduce((acc, i, d) => acc * (t.shape[d] ?? 1) + i, 0)] as number;
}

describeBackends('mapJaxKeys', () => {
  it("converts kernels to timm's layouts as timm's _load_weights does", () => {
    const input = jaxDict();
    const out = mapJaxKeys(input);
    expect(out.get('patch_embed.proj.weight')!.shape).toEqual([D, 3, 2, 2]); // HWIO → OIHW
    // OIHW[o, i, h, w] = HWIO[h, w, i, o]
    expect(at(out.get('patch_embed.proj.weight')!, 3, 2, 1, 0)).toBe(at(input.get('embedding/kernel')!, 1, 0, 2, 3));
    const qkv = out.get('blocks.0.attn.qkv.weight')!;
    expect(qkv.shape).toEqual([3 * D, D]);
    // row (part·D + h·HD + d), column c = kernel[c, h, d] of that part
    expect(at(qkv, 1 * D + 1 * HD + 1, 2)).toBe(at(input.get(`${MHA}key/kernel`)!, 2, 1, 1));
    expect(at(qkv, 2 * D + 0 * HD + 1, 3)).toBe(at(input.get(`${MHA}value/kernel`)!, 3, 0, 1));
    expectClose(out.get('blocks.0.attn.qkv.bias')!, [0, 1, 2, 3, 100, 101, 102, 103, 200, 201, 202, 203], 0, 'qkv bias');
    // proj [out, in]: [c, h·HD + d] = out/kernel[h, d, c]
    expect(at(out.get('blocks.0.attn.proj.weight')!, 3, 1 * HD + 0)).toBe(at(input.get(`${MHA}out/kernel`)!, 1, 0, 3));
    expect(out.get('blocks.0.mlp.fc1.weight')!.shape).toEqual([2 * D, D]);
    expect(at(out.get('blocks.0.mlp.fc1.weight')!, 5, 1)).toBe(at(input.get(`${B}MlpBlock_3/Dense_0/kernel`)!, 1, 5));
    expect(out.get('head.weight')!.shape).toEqual([3, D]);
    const block = ['norm1', 'norm2', 'attn.qkv', 'attn.proj', 'mlp.fc1', 'mlp.fc2'].map((n) => `blocks.0.${n}`);
    const modules = ['patch_embed.proj', 'norm', 'head', ...block];
    expect([...out.keys()].sort()).toEqual([...modules.flatMap((n) => [`${n}.weight`, `${n}.bias`]), 'cls_token', 'pos_embed'].sort());
    tf.dispose([...input.values(), ...out.values()]);
  });

  it('reads the opt/target/ prefix and the number of heads', () => {
    const input = jaxDict('opt/target/');
    expect(jaxNumHeads(input)).toBe(H);
    const out = mapJaxKeys(input);
    expect(out.get('blocks.0.attn.qkv.weight')!.shape).toEqual([3 * D, D]);
    tf.dispose([...input.values(), ...out.values()]);
  });

  it('does not leak', () => {
    const input = jaxDict();
    expect(tensorGrowth(() => [...mapJaxKeys(input).values()])).toBe(0);
    tf.dispose([...input.values()]);
  });
});
