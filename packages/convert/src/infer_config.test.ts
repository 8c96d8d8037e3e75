import { parameterShapes, resolveViTConfig, type ViTConfig } from '@tfjs-vit/models';
import { describe, expect, it } from 'vitest';
import { CheckpointError } from './errors';
import { inferViTConfig, type Shaped } from './infer_config';

const shapesOf = (config: ViTConfig): Map<string, Shaped> =>
  new Map([...parameterShapes(config)].map(([k, shape]) => [k, { shape }]));

const SMALL: ViTConfig = { imgSize: 16, patchSize: 4, embedDim: 16, depth: 2, numHeads: 2, mlpRatio: 2, numClasses: 10 };

describe('inferViTConfig', () => {
  const variants: [string, ViTConfig][] = [
    ['class token', SMALL],
    ['avg pool + fc_norm, no class token', { ...SMALL, classToken: false, globalPool: 'avg' }],
    ['avg pool with class token (fc_norm)', { ...SMALL, globalPool: 'avg' }],
    ['reg tokens, noEmbedClass, LayerScale, qk-norm', { ...SMALL, imgSize: 24, regTokens: 4, noEmbedClass: true, initValues: 1e-5, qkNorm: true }],
    ['pre-norm (CLIP), no qkv bias', { ...SMALL, preNorm: true, qkvBias: false, patchSize: 8, imgSize: 32 }],
    ['pre-logits, 3 channels → 1, no head', { ...SMALL, representationSize: 24, inChans: 1, numClasses: 0 }],
  ];
  for (const [name, config] of variants) {
    it(`round-trips ${name}: shapes → config → the same shapes`, () => {
      const { config: inferred } = inferViTConfig(shapesOf(config), { numHeads: config.numHeads });
      expect(parameterShapes(inferred)).toEqual(parameterShapes(config));
      const a = resolveViTConfig(inferred);
      const b = resolveViTConfig(config);
      for (const k of ['imgSize', 'patchSize', 'embedDim', 'depth', 'mlpRatio', 'qkvBias', 'qkNorm', 'classToken', 'regTokens', 'noEmbedClass', 'preNorm', 'useFcNorm', 'representationSize', 'numClasses', 'inChans'] as const) {
        expect(a[k], k).toEqual(b[k]);
      }
      expect(a.initValues === null, 'LayerScale').toBe(b.initValues === null);
    });
  }

  it('takes numHeads from a registered model of the same width, depth and patch', () => {
    const { config, notes } = inferViTConfig(shapesOf({ embedDim: 384, depth: 12, numHeads: 6, patchSize: 16 }));
    expect(config.numHeads).toBe(6);
    expect(notes.join('\n')).toMatch(/vit_small_patch16/);
  });

  it('falls back to head width 64 and says so; a width that is no multiple of 64 needs numHeads', () => {
    const { config, notes } = inferViTConfig(shapesOf({ embedDim: 192, depth: 3, numHeads: 3, patchSize: 4, imgSize: 16 }));
    expect(config.numHeads).toBe(3);
    expect(notes.join('\n')).toMatch(/head width 64/);
    expect(() => inferViTConfig(shapesOf(SMALL))).toThrow(/pass model: \{ numHeads \}/);
  });

  it('a ResNet state dict is CHECKPOINT_UNKNOWN_ARCH naming what was found', () => {
    const resnet = new Map<string, Shaped>([['conv1.weight', { shape: [64, 3, 7, 7] }], ['fc.weight', { shape: [1000, 2048] }]]);
    let err: unknown;
    try {
      inferViTConfig(resnet);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CheckpointError);
    expect((err as CheckpointError).code).toBe('CHECKPOINT_UNKNOWN_ARCH');
    expect((err as Error).message).toContain('conv1.weight [64, 3, 7, 7]');
  });

});
