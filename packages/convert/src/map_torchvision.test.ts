import { describe, expect, it } from 'vitest';
import { mapTorchvisionKeys } from './map_torchvision';

describe('mapTorchvisionKeys', () => {
  it('renames every key of torchvision vit_b_16 (0.14 names) to timm keys, keeping the objects', () => {
    const b = 'encoder.layers.encoder_layer_11.';
    const pairs: [string, string][] = [
      ['class_token', 'cls_token'],
      ['conv_proj.weight', 'patch_embed.proj.weight'],
      ['conv_proj.bias', 'patch_embed.proj.bias'],
      ['encoder.pos_embedding', 'pos_embed'],
      [`${b}ln_1.weight`, 'blocks.11.norm1.weight'],
      [`${b}ln_2.bias`, 'blocks.11.norm2.bias'],
      [`${b}self_attention.in_proj_weight`, 'blocks.11.attn.qkv.weight'],
      [`${b}self_attention.in_proj_bias`, 'blocks.11.attn.qkv.bias'],
      [`${b}self_attention.out_proj.weight`, 'blocks.11.attn.proj.weight'],
      [`${b}mlp.0.weight`, 'blocks.11.mlp.fc1.weight'],
      [`${b}mlp.3.bias`, 'blocks.11.mlp.fc2.bias'],
      ['encoder.ln.weight', 'norm.weight'],
      ['heads.head.weight', 'head.weight'],
      ['heads.pre_logits.bias', 'pre_logits.fc.bias'],
    ];
    const input = new Map(pairs.map(([k], i) => [k, { id: i }]));
    const out = mapTorchvisionKeys(input);
    expect([...out.keys()]).toEqual(pairs.map(([, v]) => v));
    pairs.forEach(([k, v]) => expect(out.get(v)).toBe(input.get(k)));
  });

  it('accepts the pre-0.12 MLP names and passes unknown keys through', () => {
    const out = mapTorchvisionKeys(new Map([
      ['encoder.layers.encoder_layer_0.mlp.linear_1.weight', 1],
      ['encoder.layers.encoder_layer_0.mlp.linear_2.bias', 2],
      ['something.else', 3],
      ['heads.weight', 4],
    ]));
    expect([...out.keys()]).toEqual(['blocks.0.mlp.fc1.weight', 'blocks.0.mlp.fc2.bias', 'something.else', 'head.weight']);
  });
});
