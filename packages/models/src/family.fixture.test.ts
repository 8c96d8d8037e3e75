// The timm ViT family (DeiT, DeiT-3, CLIP, DINOv2, SigLIP, and timm's state-dict-changing flags)
// against real timm v1.0.28 (tools/fixtures/gen_timm_family.py), on cpu and wasm.
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { describeBackends, expectClose, loadFixture, maxAbsDiff, shapeDigest, type Fixture } from '@tfjs-vit/testing';
import { describe, expect, it } from 'vitest';
import { FAMILY_MODELS } from './family_configs';
import { parameterShapes, countParameters } from './param_count';
import { createModel, getModelConfig, getPretrainedCfg, listModels } from './registry';
import type { VisionTransformer } from './vision_transformer';
import { resolveViTConfig, type ViTConfig } from './vit_config';

const ATOL = 1e-4;
const CASES = ['deit_distilled', 'deit3', 'clip_quickgelu', 'clip', 'dinov2', 'dinov2_reg4', 'siglip', 'siglip_so400m', 'siglip_gap', 'flags'];

interface TimmModelInfo {
  shapeDigest: string;
  numParams: number;
  imgSize: [number, number];
  numClasses: number;
  globalPool: string;
  numPrefixTokens: number;
  noEmbedClass: boolean;
  dynamicImgSize: boolean;
  normEps: number;
  act: string;
  distilled: boolean;
  pretrainedCfg: Record<string, unknown> & { tag: string };
}

const registryFixture = JSON.parse(readFileSync(new URL('../fixtures/timm_family_registry.json', import.meta.url), 'utf8')) as {
  timm: string;
  models: Record<string, TimmModelInfo>;
};

describe('family registry vs timm.create_model (meta device, full size)', () => {
  it('registers exactly the names the fixture covers, all listed', () => {
    expect(Object.keys(FAMILY_MODELS).sort()).toEqual(Object.keys(registryFixture.models).sort());
    for (const name of Object.keys(FAMILY_MODELS)) expect(listModels(name)).toEqual([name]);
  });

  for (const [name, t] of Object.entries(registryFixture.models)) {
    it(`${name}: state-dict keys and shapes, parameter count, config, pretrained cfg`, () => {
      const config = getModelConfig(name);
      expect(shapeDigest(parameterShapes(config))).toBe(t.shapeDigest);
      expect(countParameters(config)).toBe(t.numParams);
      const c = resolveViTConfig(config);
      expect({
        imgSize: c.imgSize, numClasses: c.numClasses, globalPool: c.globalPool, noEmbedClass: c.noEmbedClass,
        dynamicImgSize: c.dynamicImgSize, normEps: c.normEps, act: c.actLayer, distilled: c.distilled,
        numPrefixTokens: (c.classToken ? 1 : 0) + (c.distilled ? 1 : 0) + c.regTokens,
      }).toEqual({
        imgSize: t.imgSize, numClasses: t.numClasses, globalPool: t.globalPool, noEmbedClass: t.noEmbedClass,
        dynamicImgSize: t.dynamicImgSize, normEps: t.normEps, act: t.act, distilled: t.distilled, numPrefixTokens: t.numPrefixTokens,
      });
      const { tag, ...want } = t.pretrainedCfg;
      const p = getPretrainedCfg(name)!;
      expect({
        hfHubId: p.hfHubId, numClasses: p.numClasses, inputSize: p.inputSize, mean: p.mean, std: p.std,
        interpolation: p.interpolation, cropPct: p.cropPct, cropMode: p.cropMode, firstConv: p.firstConv, classifier: p.classifier,
      }).toEqual(want);
      expect(p.hfHubId!.endsWith(`.${tag}`)).toBe(true);
    });
  }
});

function fixture(name: string): Fixture {
  return loadFixture(new URL(`../fixtures/timm_${name}.safetensors`, import.meta.url));
}

/** The fixture's model: `createModel(timm name, overrides)` with timm's weights, in eval mode. */
function loadModel(f: Fixture): VisionTransformer {
  const vit = createModel(f.meta.model, JSON.parse(f.meta.overrides) as ViTConfig).eval();
  const sd = f.tensors('param.');
  vit.loadStateDict(sd);
  tf.dispose([...sd.values()]);
  return vit;
}

const nhwc = (t: tf.Tensor) => tf.transpose(t, [0, 2, 3, 1]);

describeBackends('timm family vs timm', (backend) => {
  for (const name of CASES) {
    it(`${name}: keys, logits, features, pre-logits, intermediates`, () => {
      const f = fixture(name);
      const vit = loadModel(f);
      tf.tidy(() => {
        expect(new Set(vit.stateDict().keys())).toEqual(new Set(f.tensors('param.').keys()));
        const x = nhwc(f.tensor('in.x'));
        const feats = vit.forwardFeatures(x);
        expectClose(feats, f.tensor('out.features'), ATOL, `${name} features`);
        const logits = vit.forward(x);
        expectClose(logits, f.tensor('out.logits'), ATOL, `${name} logits`);
        expectClose(vit.forwardHead(feats, { preLogits: true }), f.tensor('out.pre_logits'), ATOL, `${name} pre_logits`);
        const inter = vit.getIntermediateLayers(x, vit.blocks.length);
        inter.forEach((y, i) => expectClose(y, f.tensor(`out.inter.${i}`), ATOL, `${name} inter.${i}`));
        for (let j = 0; f.has(`in.x_${j}`); j++) {
          expectClose(vit.forward(nhwc(f.tensor(`in.x_${j}`))), f.tensor(`out.logits_${j}`), ATOL, `${name} logits at size ${j}`);
        }
        console.log(`[${backend}] ${f.meta.model} (${name}): max |logits - timm| = ${maxAbsDiff(logits, f.tensor('out.logits')).toExponential(2)}`);
      });
      vit.dispose();
    });
  }

  it('deit distilled: forwardDistilled gives timm’s two training outputs; logits are their mean', () => {
    const f = fixture('deit_distilled');
    const vit = loadModel(f);
    tf.tidy(() => {
      const [cls, dist] = vit.forwardDistilled(nhwc(f.tensor('in.x')));
      expectClose(cls, f.tensor('out.train_cls'), ATOL, 'head(cls)');
      expectClose(dist, f.tensor('out.train_dist'), ATOL, 'head_dist(dist)');
      expect(maxAbsDiff(cls, dist)).toBeGreaterThan(1e-2); // two different heads
    });
    vit.resetClassifier(3);
    expect(vit.headDist).not.toBeNull();
    tf.tidy(() => {
      expect(vit.forward(nhwc(f.tensor('in.x'))).shape).toEqual([2, 3]);
    });
    expect([...vit.stateDict().keys()].filter((k) => k.startsWith('head')).sort()).toEqual(['head.bias', 'head.weight', 'head_dist.bias', 'head_dist.weight']);
    vit.dispose();
  });
});

describeBackends('family config errors', () => {
  it('names timm arguments this library does not implement, and typos', () => {
    expect(() => createModel('deit_tiny_patch16_224', { patchDropRate: 0.1 } as ViTConfig)).toThrow(/patch_drop_rate is not supported/);
    expect(() => createModel('deit_tiny_patch16_224', { weight_init: 'jax' } as ViTConfig)).toThrow(/weight_init is not supported/);
    createModel('deit_tiny_patch16_224', { depth: 1, patchDropRate: 0, weightInit: '', fixInit: false } as ViTConfig).dispose(); // timm's defaults
    expect(() => createModel('deit_tiny_patch16_224', { qkv_bias: false } as ViTConfig)).toThrow(/unknown option 'qkv_bias' \(did you mean 'qkvBias'\?\)/);
    expect(() => createModel('vit_base_patch16_siglip_224', { globalPool: 'prr' } as unknown as ViTConfig)).toThrow(/'prr' attention pool is not supported/);
    expect(() => createModel('deit_tiny_distilled_patch16_224', { regTokens: 2 })).toThrow(/distilled takes no regTokens/);
    expect(() => createModel('deit_tiny_distilled_patch16_224', { globalPool: 'avg' })).toThrow(/distilled needs classToken: true and globalPool 'token'/);
    expect(() => createModel('vit_base_patch16_clip_224', { actLayer: 'swish' } as unknown as ViTConfig)).toThrow(/actLayer must be one of 'gelu', 'gelu_tanh', 'quick_gelu'/);
  });
}, ['cpu']);
