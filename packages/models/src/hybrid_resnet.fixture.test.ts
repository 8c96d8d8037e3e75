// timm's ResNetV2 hybrids (vit_tiny_r_s16_p8, vit_*_r26_s32, vit_*_r50_s16/s32) against real timm
// v1.0.28 (tools/fixtures/gen_timm_hybrid.py), on cpu and wasm.
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { withZeroInit, type Module } from '@tfjs-vit/layers';
import { ArgumentError, ShapeError } from '@tfjs-vit/ops';
import { describeBackends, expectClose, expectRelClose, loadFixture, maxAbsDiff, shapeDigest, tensorGrowth, type Fixture } from '@tfjs-vit/testing';
import { expect, it } from 'vitest';
import { createResNetV2ViT, HYBRID_MODELS } from './hybrid_configs';
import type { HybridEmbed } from './hybrid_embed';
import { countModelParameters, createModel, getModelConfig, getPretrainedCfg, listModels } from './registry';
import type { ResNetV2 } from './resnetv2';
import type { VisionTransformer } from './vision_transformer';
import { resolveViTConfig, type ViTConfig } from './vit_config';

const ATOL = 1e-4;

interface TimmHybridInfo {
  numParams: number;
  imgSize: [number, number];
  patchSize: [number, number];
  embedDim: number;
  depth: number;
  numHeads: number;
  numClasses: number;
  globalPool: string;
  featureDim: number;
  featureSize: [number, number];
  gridSize: [number, number];
  backbone: string;
  smallShapeDigest: string;
  smallNumKeys: number;
  pretrainedCfg: Record<string, unknown> & { tag: string };
}

const registryFixture = JSON.parse(readFileSync(new URL('../fixtures/timm_hybrid_registry.json', import.meta.url), 'utf8')) as {
  smallVit: ViTConfig;
  models: Record<string, TimmHybridInfo>;
};

/** The state-dict shapes of a built module, for `shapeDigest` (as gen_timm_hybrid.py's shape_digest). */
const stateShapes = (m: Module) => m.namedParameters('', { includeBuffers: true }).map(([k, p]) => [k, p.stateShape] as const);

describeBackends('hybrid registry vs timm.create_model (meta device)', () => {
  it('registers exactly timm v1.0.28\'s ResNetV2 hybrids', () => {
    expect(Object.keys(HYBRID_MODELS).sort()).toEqual(Object.keys(registryFixture.models).sort());
    expect(listModels('vit_*_r*_s*')).toEqual(Object.keys(registryFixture.models).sort());
  });

  for (const [name, t] of Object.entries(registryFixture.models)) {
    it(`${name}: config, pretrained cfg, and the real backbone's keys and shapes (small ViT on top)`, () => {
      const c = resolveViTConfig(getModelConfig(name));
      expect({ imgSize: c.imgSize, patchSize: c.patchSize, embedDim: c.embedDim, depth: c.depth, numHeads: c.numHeads, numClasses: c.numClasses, globalPool: c.globalPool })
        .toEqual({ imgSize: t.imgSize, patchSize: t.patchSize, embedDim: t.embedDim, depth: t.depth, numHeads: t.numHeads, numClasses: t.numClasses, globalPool: t.globalPool });
      const { tag, ...want } = t.pretrainedCfg;
      const p = getPretrainedCfg(name)!;
      expect({
        hfHubId: p.hfHubId ?? null, numClasses: p.numClasses, inputSize: p.inputSize, mean: p.mean, std: p.std,
        interpolation: p.interpolation, cropPct: p.cropPct, cropMode: p.cropMode, firstConv: p.firstConv, classifier: p.classifier,
      }).toEqual(want);
      if (p.hfHubId) expect(p.hfHubId.endsWith(`.${tag}`)).toBe(true);
      const vit = withZeroInit(() => createModel(name, { ...registryFixture.smallVit }));
      const embed = vit.patchEmbed as HybridEmbed;
      expect({ featureDim: embed.featureChannels, featureSize: embed.featureMapSize, gridSize: embed.gridSize })
        .toEqual({ featureDim: t.featureDim, featureSize: t.featureSize, gridSize: t.gridSize });
      expect(vit.namedParameters('', { includeBuffers: true }).length).toBe(t.smallNumKeys);
      expect(shapeDigest(stateShapes(vit))).toBe(t.smallShapeDigest);
      vit.dispose();
      // the full-size model's count (what `tfjs-vit models` prints), backbone included
      expect(countModelParameters(name)).toBe(t.numParams);
    });
  }
}, ['cpu']);

function fixture(name: string): Fixture {
  return loadFixture(new URL(`../fixtures/timm_hybrid_${name}.safetensors`, import.meta.url));
}

interface Case {
  vit: VisionTransformer;
  /** The key set `createModel(name, { backboneLayers, …overrides })` gives (timm widths). */
  registryKeys: Set<string>;
}

/**
 * The fixture's model with timm's weights, in eval mode: `createModel(name, overrides)` when the
 * fixture has timm's widths, else `createResNetV2ViT` with the fixture's narrower backbone.
 */
function build(f: Fixture): Case {
  const overrides = JSON.parse(f.meta.overrides) as ViTConfig;
  let vit: VisionTransformer;
  let layers: number[];
  if (f.meta.backbone) {
    const backbone = JSON.parse(f.meta.backbone) as { layers: number[]; channels: number[]; stemChs: number; numGroups: number };
    layers = backbone.layers;
    vit = createResNetV2ViT({ ...getModelConfig(f.meta.model), ...overrides, backbone });
  } else {
    layers = JSON.parse(f.meta.backboneLayers) as number[];
    vit = createModel(f.meta.model, { ...overrides, backboneLayers: layers });
  }
  const reg = withZeroInit(() => createModel(f.meta.model, { ...overrides, backboneLayers: layers }));
  const registryKeys = new Set(reg.stateDict().keys());
  reg.dispose();
  const sd = f.tensors('param.');
  vit.loadStateDict(sd);
  tf.dispose([...sd.values()]);
  return { vit: vit.eval(), registryKeys };
}

const nhwc = (t: tf.Tensor) => tf.transpose(t, [0, 2, 3, 1]);

describeBackends('ViT hybrids vs timm', (backend) => {
  for (const name of ['tiny_r_s16_p8', 'r50_s16', 'r26_s32']) {
    it(`${name}: keys as timm's, backbone stages, features, logits, intermediates, gradients`, () => {
      const f = fixture(name);
      const { vit, registryKeys } = build(f);
      const timmKeys = new Set(f.tensors('param.').keys());
      expect(registryKeys).toEqual(timmKeys);
      expect(new Set(vit.stateDict().keys())).toEqual(timmKeys);
      const embed = vit.patchEmbed as HybridEmbed;
      tf.tidy(() => {
        const x = nhwc(f.tensor('in.x'));
        const bb = embed.backbone as ResNetV2;
        const fmap = bb.forward(x);
        expectClose(fmap, nhwc(f.tensor('out.backbone')), ATOL, `${name} backbone`);
        if (f.names().includes('out.stem')) {
          let y = bb.stem.forward(x) as tf.Tensor;
          expectClose(y, nhwc(f.tensor('out.stem')), ATOL, `${name} stem`);
          [...bb.stages].forEach((s, i) => {
            y = s.forward(y);
            expectClose(y, nhwc(f.tensor(`out.stage.${i}`)), ATOL, `${name} stage.${i}`);
          });
        }
        const feats = vit.forwardFeatures(x);
        expectClose(feats, f.tensor('out.features'), ATOL, `${name} features`);
        const logits = vit.forwardHead(feats);
        expectClose(logits, f.tensor('out.logits'), ATOL, `${name} logits`);
        expectClose(vit.forwardHead(feats, { preLogits: true }), f.tensor('out.pre_logits'), ATOL, `${name} pre_logits`);
        const inter = vit.getIntermediateLayers(x, vit.blocks.length);
        inter.forEach((y, i) => expectClose(y, f.tensor(`out.inter.${i}`), ATOL, `${name} inter.${i}`));
        console.log(`[${backend}] ${name}: max |logits - timm| = ${maxAbsDiff(logits, f.tensor('out.logits')).toExponential(2)}, ` +
          `features ${maxAbsDiff(feats, f.tensor('out.features')).toExponential(2)}, ` +
          `backbone map ${maxAbsDiff(fmap, nhwc(f.tensor('out.backbone'))).toExponential(2)}`);
      });
      // gradients of sum(logits * probe) through ViT, proj, GroupNorm, StdConv2dSame and the same-pool
      tf.tidy(() => {
        const x = tf.variable(nhwc(f.tensor('in.x')));
        const probe = f.tensor('probe.logits');
        const params = new Map(vit.namedParameters());
        const gradKeys = f.names().filter((n) => n.startsWith('grad.')).map((n) => n.slice(5));
        const { grads } = tf.variableGrads(() => tf.sum(tf.mul(vit.forward(x), probe)) as tf.Scalar, [...gradKeys.map((k) => params.get(k)!.variable), x]);
        for (const k of gradKeys) {
          const p = params.get(k)!;
          expectRelClose(p.layout.toState(grads[p.variable.name]), f.tensor(`grad.${k}`), 1e-3, 1e-6, `grad.${k}`);
        }
        expectRelClose(grads[x.name], nhwc(f.tensor('grad_in.x')), 1e-3, 1e-6, 'grad_in.x');
        x.dispose();
      });
      vit.dispose();
    });
  }

  it('forward leaks nothing; a wrong channel count is a ShapeError', () => {
    const { vit } = build(fixture('r50_s16'));
    const x = tf.randomNormal([1, 32, 30, 3]);
    expect(tensorGrowth(() => vit.forward(x))).toBe(0);
    expect(() => vit.forward(tf.zeros([1, 32, 30, 4]))).toThrow(ShapeError);
    x.dispose();
    vit.dispose();
  });
});

describeBackends('createModel(hybrid, { backboneLayers }) errors', () => {
  const small = { embedDim: 16, depth: 1, numHeads: 2, imgSize: 64 };
  it('bad backboneLayers name the stage and the value', () => {
    expect(() => createModel('vit_base_r50_s16_224', { ...small, backboneLayers: [1, 0] })).toThrow(/layers\[1\] must be a positive integer \(blocks in stage 1\), got 0/);
    expect(() => createModel('vit_small_r26_s32_224', { ...small, backboneLayers: [1, 1, 1, 1, 1] })).toThrow(ArgumentError);
    expect(() => createModel('vit_small_r26_s32_224', { ...small, backboneLayers: 3 as unknown as number[] })).toThrow(/layers must be an array/);
    expect(() => createModel('vit_base_patch16_224', { ...small, backboneLayers: [1] })).toThrow(/no CNN backbone/);
  });

  it('an image too small for the patch on the feature map is an ArgumentError', () => {
    // 16 px → a 4x4 stem feature map, smaller than vit_tiny_r_s16_p8's 8x8 patch
    expect(() => createModel('vit_tiny_r_s16_p8_224', { ...small, imgSize: 16 })).toThrow(/feature map 4x4 is smaller than patch 8x8/);
  });

  it('backboneLayers replaces the default stages: [1] is /4 with 256 channels, [] the bare stem', () => {
    const a = withZeroInit(() => createModel('vit_large_r50_s32_224', { ...small, backboneLayers: [1] }));
    expect((a.patchEmbed as HybridEmbed).featureChannels).toBe(256);
    expect(a.patchEmbed.gridSize).toEqual([16, 16]);
    const b = withZeroInit(() => createModel('vit_base_r50_s16_224', { ...small, backboneLayers: [] }));
    expect([...b.stateDict().keys()].filter((k) => k.startsWith('patch_embed.backbone'))).toEqual([
      'patch_embed.backbone.conv.weight', 'patch_embed.backbone.norm.weight', 'patch_embed.backbone.norm.bias',
    ]);
    a.dispose();
    b.dispose();
  });
}, ['cpu']);
