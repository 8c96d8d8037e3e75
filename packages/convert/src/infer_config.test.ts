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
    ["'map' attention pool (SigLIP), no class token", { ...SMALL, classToken: false, globalPool: 'map' }],
    ["'map' attention pool with a class token and fc_norm", { ...SMALL, globalPool: 'map', fcNorm: true }],
    ['bias-free attention proj and MLP', { ...SMALL, projBias: false }],
  ];
  for (const [name, config] of variants) {
    it(`round-trips ${name}: shapes → config → the same shapes`, () => {
      const { config: inferred } = inferViTConfig(shapesOf(config), { numHeads: config.numHeads });
      expect(parameterShapes(inferred)).toEqual(parameterShapes(config));
      const a = resolveViTConfig(inferred);
      const b = resolveViTConfig(config);
      for (const k of ['imgSize', 'patchSize', 'embedDim', 'depth', 'mlpRatio', 'qkvBias', 'projBias', 'globalPool', 'qkNorm', 'classToken', 'regTokens', 'noEmbedClass', 'preNorm', 'useFcNorm', 'representationSize', 'numClasses', 'inChans'] as const) {
        expect(a[k], k).toEqual(b[k]);
      }
      expect(a.initValues === null, 'LayerScale').toBe(b.initValues === null);
    });
  }

  it('takes numHeads from a registered model of the same width, depth and patch', () => {
    const { config, notes } = inferViTConfig(shapesOf({ embedDim: 384, depth: 12, numHeads: 6, patchSize: 16 }));
    expect(config.numHeads).toBe(6);
    expect(notes.join('\n')).toMatch(/registered model \w*small_patch16_224/);
  });

  it('falls back to head width 64 and says so; a width that is no multiple of 64 needs numHeads', () => {
    const { config, notes } = inferViTConfig(shapesOf({ embedDim: 192, depth: 3, numHeads: 3, patchSize: 4, imgSize: 16 }));
    expect(config.numHeads).toBe(3);
    expect(notes.join('\n')).toMatch(/head width 64/);
    expect(() => inferViTConfig(shapesOf(SMALL))).toThrow(/pass model: \{ numHeads \}/);
  });

  it("a CLIP layout adds CLIP's LayerNorm eps and says the activation is not in the shapes", () => {
    const shapes = shapesOf({ ...SMALL, preNorm: true });
    const { config, notes } = inferViTConfig(shapes, { numHeads: 2, layout: 'openai_clip' });
    expect(config.normEps).toBe(1e-5);
    expect(config.preNorm).toBe(true);
    expect(notes.join('\n')).toMatch(/QuickGELU/);
    expect(inferViTConfig(shapes, { numHeads: 2, layout: 'timm' }).config.normEps).toBeUndefined();
  });

  it('a gated (SwiGLU) MLP or a multi-query latent is CHECKPOINT_UNKNOWN_ARCH saying so', () => {
    const swiglu = shapesOf(SMALL);
    for (let i = 0; i < 2; i++) swiglu.set(`blocks.${i}.mlp.fc2.weight`, { shape: [16, 16] }); // fc1 gives 32 = 2 × 16
    let err: unknown;
    try {
      inferViTConfig(swiglu, { numHeads: 2 });
    } catch (e) {
      err = e;
    }
    expect((err as CheckpointError).code).toBe('CHECKPOINT_UNKNOWN_ARCH');
    expect((err as Error).message).toMatch(/fc2\.weight takes 16 features but fc1 gives 32: a gated \(SwiGLU\) MLP/);
    const latents = shapesOf({ ...SMALL, classToken: false, globalPool: 'map' });
    latents.set('attn_pool.latent', { shape: [1, 4, 16] });
    expect(() => inferViTConfig(latents, { numHeads: 2 })).toThrow(/attn_pool\.latent: expected \[1, 1, 16\].*got \[1, 4, 16\]/);
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
