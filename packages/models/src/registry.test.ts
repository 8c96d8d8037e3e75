import * as tf from '@tensorflow/tfjs-core';
import { describeBackends } from '@tfjs-vit/testing';
import { expect, it } from 'vitest';
import { IMAGENET_DEFAULT_MEAN, IMAGENET_INCEPTION_MEAN } from './configs';
import { countParameters } from './param_count';
import {
  createModel, DuplicateModelError, getModelConfig, getPretrainedCfg, isModel, listModels, nearestModels, registerModel, UnknownModelError,
} from './registry';

describeBackends('model registry', () => {
  it('lists the variants the issue asks for', () => {
    for (const name of [
      'vit_tiny_patch16_224', 'vit_small_patch16_224', 'vit_base_patch16_224', 'vit_large_patch16_224',
      'vit_base_patch32_224', 'vit_large_patch32_224', 'vit_base_patch16_384', 'vit_large_patch16_384',
      'vit_huge_patch14_224', 'vit_base_patch8_224', 'vit_base_patch16_224_in21k', 'vit_small_patch16_gap_224',
    ]) expect(isModel(name), name).toBe(true);
  });

  it('filters with globs', () => {
    const in21k = listModels('vit_*_in21k');
    expect(in21k.length).toBeGreaterThanOrEqual(5);
    expect(in21k.every((n) => n.endsWith('_in21k'))).toBe(true);
    expect(listModels(['vit_huge_patch14_224*', 'vit_base_patch8_22?'])).toEqual(['vit_base_patch8_224', 'vit_huge_patch14_224', 'vit_huge_patch14_224_in21k']);
    expect(listModels('*_dinov2')).toEqual(['vit_base_patch14_dinov2', 'vit_base_patch14_reg4_dinov2', 'vit_large_patch14_dinov2', 'vit_large_patch14_reg4_dinov2', 'vit_small_patch14_dinov2', 'vit_small_patch14_reg4_dinov2']);
    expect(listModels()).toEqual([...listModels()].sort());
  });

  it('refuses duplicate names, built-ins included', () => {
    expect(() => registerModel('vit_base_patch16_224', { config: {} })).toThrow(DuplicateModelError);
    registerModel(`test_vit_pico_${tf.getBackend()}`, { config: { imgSize: 16, patchSize: 8, embedDim: 16, depth: 1, numHeads: 2, numClasses: 3 } });
    expect(() => registerModel(`test_vit_pico_${tf.getBackend()}`, { config: {} })).toThrow(/already registered/);
    const m = createModel(`test_vit_pico_${tf.getBackend()}`, { numClasses: 5 });
    expect(m.head.stateDict().get('weight')!.shape).toEqual([5, 16]);
    m.dispose();
  });

  it('unknown names throw with the nearest registered names', () => {
    expect(() => createModel('vit_base_patch16_225')).toThrow(UnknownModelError);
    expect(() => createModel('vit_base_patch16_225')).toThrow(/did you mean "vit_base_patch16_224"/);
    // a typo in the middle of the name still finds it (edit distance, not a prefix glob)
    const err = (() => { try { createModel('vit_bsae_patch16_224'); } catch (e) { return e as UnknownModelError; } })()!;
    expect(err.suggestions[0]).toBe('vit_base_patch16_224');
    expect(nearestModels('vit_small')[0]).toMatch(/^vit_small_/);
    expect(nearestModels('resnet50')).toEqual([]); // nothing near: no misleading hint
  });

  it("registers timm's test_vit / test_vit2 with their r160_in1k preprocessing and timm's parameter counts", () => {
    // timm 1.0.28: sum(p.numel() for p in create_model('test_vit').parameters()) == 371_240
    expect(countParameters(getModelConfig('test_vit'))).toBe(371_240);
    expect(countParameters(getModelConfig('test_vit2'))).toBe(455_720);
    expect(getModelConfig('test_vit2')).toMatchObject({ classToken: false, regTokens: 1, globalPool: 'avg', initValues: 1e-5 });
    expect(getPretrainedCfg('test_vit')).toMatchObject({ inputSize: [3, 160, 160], cropPct: 0.95, interpolation: 'bicubic', mean: [0.5, 0.5, 0.5] });
  });

  it('createModel applies overrides over the registered config', () => {
    const vit = createModel('vit_tiny_patch16_224', { depth: 1, numClasses: 7, imgSize: 32 });
    expect(vit.blocks.length).toBe(1);
    expect(vit.numParameters()).toBe(countParameters({ ...getModelConfig('vit_tiny_patch16_224'), depth: 1, numClasses: 7, imgSize: 32 }));
    const y = vit.eval().forward(tf.zeros([1, 32, 32, 3]));
    expect(y.shape).toEqual([1, 7]);
    y.dispose();
    vit.dispose();
  });

  it('counts L/16 and H/14 from the registered configs without building them', () => {
    expect(countParameters(getModelConfig('vit_base_patch16_224'))).toBe(86_567_656);
    expect(countParameters(getModelConfig('vit_large_patch16_224'))).toBe(304_326_632);
    expect(countParameters(getModelConfig('vit_huge_patch14_224'))).toBe(632_045_800);
  });

  it('in21k variants have 21843 classes and the pre-logits layer where timm\'s original had it', () => {
    expect(getModelConfig('vit_base_patch16_224_in21k')).toMatchObject({ numClasses: 21843, representationSize: 768 });
    expect(getModelConfig('vit_huge_patch14_224_in21k')).toMatchObject({ numClasses: 21843, representationSize: 1280 });
    expect(getModelConfig('vit_tiny_patch16_224_in21k').representationSize).toBeUndefined();
    expect(getPretrainedCfg('vit_base_patch16_224_in21k')!.numClasses).toBe(21843);
  });

  it('carries timm default_cfgs preprocessing metadata', () => {
    const b16 = getPretrainedCfg('vit_base_patch16_224')!;
    expect(b16).toMatchObject({ inputSize: [3, 224, 224], interpolation: 'bicubic', cropPct: 0.9, numClasses: 1000 });
    expect(b16.mean).toEqual(IMAGENET_INCEPTION_MEAN);
    expect(getPretrainedCfg('vit_base_patch16_384')).toMatchObject({ inputSize: [3, 384, 384], cropPct: 1.0 });
    expect(getPretrainedCfg('vit_small_patch16_gap_224')!.mean).toEqual(IMAGENET_DEFAULT_MEAN);
    // returned copies cannot corrupt the registry
    b16.mean[0] = 9;
    expect(getPretrainedCfg('vit_base_patch16_224')!.mean[0]).toBe(0.5);
  });
});
