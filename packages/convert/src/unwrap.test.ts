import { describe, expect, it } from 'vitest';
import { unwrapKeys } from './unwrap';

describe('unwrapKeys', () => {
  it('takes the model entry, drops optimizer/epoch, strips module.', () => {
    const u = unwrapKeys(['model.module.head.weight', 'model.module.pos_embed', 'optimizer.state.0.exp_avg', 'epoch']);
    expect([...u.keys]).toEqual([['head.weight', 'model.module.head.weight'], ['pos_embed', 'model.module.pos_embed']]);
    expect(u.wrappers).toEqual(['model']);
    expect(u.strippedPrefixes).toEqual(['module.']);
  });

  it('prefers the EMA weights as timm does, unless useEma is false', () => {
    const keys = ['state_dict.head.weight', 'state_dict_ema.head.weight', 'model_ema.head.weight'];
    expect(unwrapKeys(keys).wrappers).toEqual(['state_dict_ema']);
    expect(unwrapKeys(keys.slice(0, 1).concat('model_ema.head.weight')).wrappers).toEqual(['model_ema']);
    expect(unwrapKeys(keys, { useEma: false }).wrappers).toEqual(['state_dict']);
  });

  it('descends nested wrappers and strips stacked _orig_mod. / module. prefixes', () => {
    const u = unwrapKeys(['model.state_dict._orig_mod.module.blocks.0.norm1.weight']);
    expect([...u.keys.keys()]).toEqual(['blocks.0.norm1.weight']);
    expect(u.wrappers).toEqual(['model', 'state_dict']);
    expect(u.strippedPrefixes.sort()).toEqual(['_orig_mod.', 'module.']);
  });

  it('leaves a bare state dict alone', () => {
    const u = unwrapKeys(['cls_token', 'blocks.0.attn.qkv.weight']);
    expect([...u.keys.keys()]).toEqual(['cls_token', 'blocks.0.attn.qkv.weight']);
    expect(u.wrappers).toEqual([]);
    expect(u.strippedPrefixes).toEqual([]);
  });
});
