import * as tf from '@tensorflow/tfjs-core';
import { describeBackends, expectClose, tensorGrowth } from '@tfjs-vit/testing';
import { expect, it } from 'vitest';
import { checkpointError, fixturePath } from './fixtures.testutil';
import { bigVisionNumHeads, bigVisionPrefix, mapBigVisionKeys } from './map_big_vision';
import { readCheckpoint } from './read_checkpoint';
import { readTimmStateDict } from './timm_state_dict';

const D = 4;
const H = 2;
const HD = D / H;
const P = 'params/img/MAPHead_0/';
const MHA = `${P}MultiHeadDotProductAttention_0/`;

const seq = (shape: number[], offset = 0) => tf.add(tf.reshape(tf.range(0, shape.reduce((a, b) => a * b)), shape), offset);

function mapHead(): Map<string, tf.Tensor> {
  return new Map<string, tf.Tensor>([
    [`${P}probe`, seq([1, 1, D])],
    [`${MHA}query/kernel`, seq([D, H, HD], 0)],
    [`${MHA}key/kernel`, seq([D, H, HD], 100)],
    [`${MHA}value/kernel`, seq([D, H, HD], 200)],
    [`${MHA}query/bias`, seq([H, HD], 0)],
    [`${MHA}key/bias`, seq([H, HD], 100)],
    [`${MHA}value/bias`, seq([H, HD], 200)],
    [`${MHA}out/kernel`, seq([H, HD, D])],
    [`${MHA}out/bias`, seq([D])],
    [`${P}LayerNorm_0/scale`, seq([D])],
    [`${P}MlpBlock_0/Dense_0/kernel`, seq([D, 2 * D])],
    [`${P}Extra_0/kernel`, seq([D])], // no timm counterpart: passes through
    ['params/txt/Embed_0/embedding', seq([3, D])], // the text tower: left out
  ]);
}

describeBackends('mapBigVisionKeys', () => {
  it("maps SigLIP's MAPHead_0 to attn_pool: probe → latent, query → q, key|value → kv, out → proj", () => {
    const input = mapHead();
    const growth = tensorGrowth(() => tf.dispose([...mapBigVisionKeys(input).values()].filter((t) => ![...input.values()].includes(t))));
    expect(growth).toBe(0);
    const out = mapBigVisionKeys(input);
    expect([...out.keys()].sort()).toEqual(['attn_pool.kv.bias', 'attn_pool.kv.weight', 'attn_pool.latent', 'attn_pool.mlp.fc1.weight', 'attn_pool.norm.weight',
      'attn_pool.proj.bias', 'attn_pool.proj.weight', 'attn_pool.q.bias', 'attn_pool.q.weight', `${P}Extra_0/kernel`]);
    expect(out.get('attn_pool.latent')).toBe(input.get(`${P}probe`));
    expect(out.get('attn_pool.q.weight')!.shape).toEqual([D, D]);
    expect(out.get('attn_pool.kv.weight')!.shape).toEqual([2 * D, D]);
    // kv row (part·D + h·HD + d), column c = kernel[c, h, d] of key (part 0) / value (part 1)
    const kv = out.get('attn_pool.kv.weight')!.arraySync() as number[][];
    const value = input.get(`${MHA}value/kernel`)!.arraySync() as number[][][];
    expect(kv[D + 1 * HD + 0]![3]).toBe(value[3]![1]![0]);
    expectClose(out.get('attn_pool.kv.bias')!, [100, 101, 102, 103, 200, 201, 202, 203], 0, 'kv bias');
    // proj [out, in]: [c, h·HD + d] = out/kernel[h, d, c]
    const proj = out.get('attn_pool.proj.weight')!.arraySync() as number[][];
    const outK = input.get(`${MHA}out/kernel`)!.arraySync() as number[][][];
    expect(proj[2]![1 * HD + 1]).toBe(outK[1]![1]![2]);
    expect(out.get('attn_pool.mlp.fc1.weight')!.shape).toEqual([2 * D, D]);
    expect(bigVisionNumHeads(input)).toBe(H);
    expect(bigVisionPrefix(input.keys())).toBe('params/img/');
    tf.dispose([...input.values(), ...out.values()]);
  });

  it('a MAPHead without its probe, or with mismatched kernels, is a CheckpointError naming the array', async () => {
    const input = mapHead();
    input.set('params/img/embedding/kernel', seq([1, 1, 3, D]));
    input.get(`${MHA}value/kernel`)!.dispose();
    input.set(`${MHA}value/kernel`, seq([D, 1, D]));
    let err = await checkpointError(() => readTimmStateDict(input), 'CHECKPOINT_ARCH_MISMATCH');
    expect(err.message).toMatch(/params\/img\/MAPHead_0\/MultiHeadDotProductAttention_0\/: expected key\/value kernels of one shape .*key \[4, 2, 2\], value \[4, 1, 4\]/);
    input.get(`${P}probe`)!.dispose();
    input.delete(`${P}probe`);
    err = await checkpointError(() => readTimmStateDict(input), 'CHECKPOINT_ARCH_MISMATCH');
    expect(err.message).toMatch(/MAPHead_0\/probe: expected the attention-pool latent \[1, latentLen, D\], got missing/);
    tf.dispose([...input.values()]);
  });

  it('a scanned array without the depth axis first is a CheckpointError', async () => {
    const { tensors } = await readCheckpoint(fixturePath('layouts_big_vision_scanned.npz'));
    const key = 'params/Transformer/encoderblock/MlpBlock_0/Dense_1/bias';
    const stacked = tensors.get(key)!;
    tensors.set(key, tf.reshape(stacked, [stacked.size]));
    const err = await checkpointError(() => readTimmStateDict(tensors), 'CHECKPOINT_ARCH_MISMATCH');
    expect(err.message).toMatch(/params\/Transformer\/encoderblock\/MlpBlock_0\/Dense_1\/bias: a scanned array needs the depth axis \(2, from LayerNorm_0\/scale\) first, got \[32\]/);
    tf.dispose([...tensors.values(), stacked]);
  });
});
