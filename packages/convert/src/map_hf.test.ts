import * as tf from '@tensorflow/tfjs-core';
import { describeBackends, expectClose, tensorGrowth } from '@tfjs-vit/testing';
import { expect, it } from 'vitest';
import { CheckpointError } from './errors';
import { mapHfKeys } from './map_hf';

const D = 4;
const L = 'vit.encoder.layer.0.';

function hfLayer(): Map<string, tf.Tensor> {
  const m = new Map<string, tf.Tensor>();
  ['query', 'key', 'value'].forEach((n, i) => {
    m.set(`${L}attention.attention.${n}.weight`, tf.add(tf.reshape(tf.range(0, D * D), [D, D]), 100 * i));
    m.set(`${L}attention.attention.${n}.bias`, tf.add(tf.range(0, D), 100 * i));
  });
  m.set(`${L}attention.output.dense.weight`, tf.zeros([D, D]));
  m.set(`${L}output.dense.weight`, tf.zeros([D, 2 * D]));
  m.set(`${L}intermediate.dense.weight`, tf.zeros([2 * D, D]));
  m.set(`${L}layernorm_before.weight`, tf.ones([D]));
  m.set(`${L}layernorm_after.weight`, tf.ones([D]));
  m.set('vit.embeddings.cls_token', tf.zeros([1, 1, D]));
  m.set('vit.embeddings.position_embeddings', tf.zeros([1, 5, D]));
  m.set('vit.embeddings.patch_embeddings.projection.weight', tf.zeros([D, 3, 2, 2]));
  m.set('vit.layernorm.weight', tf.ones([D]));
  m.set('classifier.weight', tf.zeros([3, D]));
  return m;
}

describeBackends('mapHfKeys', () => {
  it('fuses query/key/value into qkv (rows q|k|v) and renames the rest', () => {
    const input = hfLayer();
    const out = mapHfKeys(input);
    expect([...out.keys()].sort()).toEqual([
      'blocks.0.attn.proj.weight', 'blocks.0.attn.qkv.bias', 'blocks.0.attn.qkv.weight', 'blocks.0.mlp.fc1.weight',
      'blocks.0.mlp.fc2.weight', 'blocks.0.norm1.weight', 'blocks.0.norm2.weight', 'cls_token', 'head.weight',
      'norm.weight', 'patch_embed.proj.weight', 'pos_embed',
    ]);
    const qkv = out.get('blocks.0.attn.qkv.weight')!;
    expect(qkv.shape).toEqual([3 * D, D]);
    ['query', 'key', 'value'].forEach((n, i) => {
      const rows = tf.slice(qkv, [i * D, 0], [D, D]);
      expectClose(rows, input.get(`${L}attention.attention.${n}.weight`)!, 0, `${n} rows`);
      rows.dispose();
    });
    expectClose(out.get('blocks.0.attn.qkv.bias')!, [0, 1, 2, 3, 100, 101, 102, 103, 200, 201, 202, 203], 0, 'bias');
    expect(out.get('blocks.0.mlp.fc2.weight')).toBe(input.get(`${L}output.dense.weight`));
    expect(out.get('blocks.0.attn.proj.weight')).toBe(input.get(`${L}attention.output.dense.weight`));
    tf.dispose([...input.values(), qkv, out.get('blocks.0.attn.qkv.bias')!]);
  });

  it("maps ViTModel's pooler to pre_logits.fc", () => {
    const w = tf.zeros([D, D]);
    expect([...mapHfKeys(new Map([['pooler.dense.weight', w]])).keys()]).toEqual(['pre_logits.fc.weight']);
    w.dispose();
  });

  it('a layer without value is a typed error', () => {
    const input = hfLayer();
    input.get(`${L}attention.attention.value.weight`)!.dispose();
    input.delete(`${L}attention.attention.value.weight`);
    expect(() => tf.tidy(() => { mapHfKeys(input); })).toThrow(CheckpointError);
    tf.dispose([...input.values()]);
  });

  it('does not leak', () => {
    const input = hfLayer();
    expect(tensorGrowth(() => {
      const out = mapHfKeys(input);
      return [out.get('blocks.0.attn.qkv.weight')!, out.get('blocks.0.attn.qkv.bias')!];
    })).toBe(0);
    tf.dispose([...input.values()]);
  });
});
