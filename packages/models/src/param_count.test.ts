import { describe, expect, it } from 'vitest';
import { VIT_MODELS } from './configs';
import { countParameters, parameterShapes } from './param_count';

const count = (name: string, extra = {}) => countParameters({ ...VIT_MODELS[name].config, ...extra });

describe('countParameters (timm numbers)', () => {
  it('matches timm for B/16, L/16, H/14 with 1000 classes', () => {
    expect(count('vit_base_patch16_224')).toBe(86_567_656);
    expect(count('vit_large_patch16_224')).toBe(304_326_632);
    expect(count('vit_huge_patch14_224')).toBe(632_045_800);
  });

  it('matches timm for Ti/16, S/16, B/32, B/8, B/16@384 and the in21k B/16 with pre-logits', () => {
    expect(count('vit_tiny_patch16_224')).toBe(5_717_416);
    expect(count('vit_small_patch16_224')).toBe(22_050_664);
    expect(count('vit_base_patch32_224')).toBe(88_224_232);
    expect(count('vit_base_patch8_224')).toBe(86_576_872);
    expect(count('vit_base_patch16_384')).toBe(86_859_496);
    // 86,567,656 - 769,000 (1k head) + 590,592 (pre_logits 768x768+768) + 16,797,267 (21843-way head)
    expect(count('vit_base_patch16_224_in21k')).toBe(86_567_656 - 769_000 + 590_592 + 768 * 21843 + 21843);
  });

  it('follows the options that change the parameter set', () => {
    const base = { imgSize: 32, patchSize: 8, embedDim: 64, depth: 2, numHeads: 4, numClasses: 10 };
    const n = countParameters(base);
    expect(countParameters({ ...base, numClasses: 0 })).toBe(n - 650);
    expect(countParameters({ ...base, qkvBias: false })).toBe(n - 2 * 192);
    expect(countParameters({ ...base, initValues: 1e-5 })).toBe(n + 2 * 2 * 64);
    expect(countParameters({ ...base, regTokens: 4 })).toBe(n + 4 * 64 + 4 * 64);
    expect(countParameters({ ...base, regTokens: 4, noEmbedClass: true })).toBe(n + 4 * 64 - 64);
    expect(countParameters({ ...base, classToken: false, globalPool: 'avg' })).toBe(n - 64 - 64);
    const keys = [...parameterShapes({ ...base, classToken: false, globalPool: 'avg' }).keys()];
    expect(keys).toContain('fc_norm.weight');
    expect(keys).not.toContain('norm.weight');
  });

  it('lists timm keys in state-dict order', () => {
    const keys = [...parameterShapes({ depth: 1, regTokens: 1, qkNorm: true, initValues: 0.1 }).keys()];
    expect(keys.slice(0, 5)).toEqual(['cls_token', 'reg_token', 'pos_embed', 'patch_embed.proj.weight', 'patch_embed.proj.bias']);
    expect(keys).toContain('blocks.0.attn.q_norm.weight');
    expect(keys).toContain('blocks.0.ls2.gamma');
    expect(keys.at(-1)).toBe('head.bias');
  });
});
