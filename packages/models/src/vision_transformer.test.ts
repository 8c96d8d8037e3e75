// VisionTransformer behaviour: timm's keys and shapes, init, freezing, heads, modes, errors, leaks.
import * as tf from '@tensorflow/tfjs-core';
import { Block, DropPath, Identity, LayerNorm, type TensorModule } from '@tfjs-vit/layers';
import { ShapeError } from '@tfjs-vit/ops';
import { describeBackends, expectClose, tensorGrowth } from '@tfjs-vit/testing';
import { expect, it } from 'vitest';
import { countParameters, parameterShapes } from './param_count';
import { createViT } from './vision_transformer';
import type { ViTConfig } from './vit_config';

const TINY: ViTConfig = { imgSize: [16, 24], patchSize: 8, embedDim: 32, depth: 2, numHeads: 4, numClasses: 5 };

describeBackends('VisionTransformer', () => {
  it('state-dict keys, order and shapes are timm\'s for every option combination', () => {
    const variants: ViTConfig[] = [
      TINY,
      { ...TINY, classToken: false, globalPool: 'avg' },
      { ...TINY, regTokens: 3, noEmbedClass: true, initValues: 1e-5, qkNorm: true },
      { ...TINY, preNorm: true, qkvBias: false, globalPool: 'max', fcNorm: true },
      { ...TINY, representationSize: 24, numClasses: 0 },
      { ...TINY, posEmbed: 'none', finalNorm: false },
    ];
    for (const cfg of variants) {
      const vit = createViT(cfg);
      const sd = vit.stateDict();
      const expected = parameterShapes(cfg);
      expect([...sd.keys()]).toEqual([...expected.keys()]);
      for (const [k, t] of sd) expect(t.shape, k).toEqual(expected.get(k));
      expect(vit.numParameters()).toBe(countParameters(cfg));
      tf.dispose([...sd.values()]);
      vit.dispose();
    }
  });

  it('initialises as timm: normal(0.02) truncated at ±2 for Linear and pos_embed, zero biases, unit norms, tiny cls_token', () => {
    const vit = createViT({ ...TINY, embedDim: 64, depth: 1 });
    const sd = vit.stateDict();
    const arr = (k: string) => sd.get(k)!.dataSync();
    const std = (a: ArrayLike<number>) => Math.sqrt(Array.from(a).reduce((s, v) => s + v * v, 0) / a.length);
    const qkv = arr('blocks.0.attn.qkv.weight');
    // timm's trunc_normal_(std=.02) cuts at ±2 absolute (100σ): in effect a plain normal
    expect(std(qkv)).toBeGreaterThan(0.018);
    expect(std(qkv)).toBeLessThan(0.022);
    expect(Math.max(...Array.from(qkv, Math.abs))).toBeLessThanOrEqual(2);
    expect(std(arr('pos_embed'))).toBeGreaterThan(0.012);
    expect(Array.from(arr('blocks.0.mlp.fc1.bias')).every((v) => v === 0)).toBe(true);
    expect(Array.from(arr('norm.weight')).every((v) => v === 1)).toBe(true);
    expect(std(arr('cls_token'))).toBeLessThan(1e-5);
    tf.dispose([...sd.values()]);
    vit.dispose();
  });

  it('forward, forwardFeatures, forwardHead and getIntermediateLayers shapes (non-square)', () => {
    const vit = createViT({ ...TINY, regTokens: 2 }).eval();
    tf.tidy(() => {
      const x = tf.randomNormal([2, 16, 24, 3]);
      expect(vit.forward(x).shape).toEqual([2, 5]);
      const feats = vit.forwardFeatures(x);
      expect(feats.shape).toEqual([2, 3 + 6, 32]);
      expect(vit.forwardHead(feats, { preLogits: true }).shape).toEqual([2, 32]);
      const inter = vit.getIntermediateLayers(x, [0, -1], { reshape: true, norm: true });
      expect(inter.map((t) => t.shape)).toEqual([[2, 2, 3, 32], [2, 2, 3, 32]]);
      expect(vit.getIntermediateLayers(x)[0].shape).toEqual([2, 6, 32]);
      const full = vit.getIntermediateLayers(x, 1, { includePrefixTokens: true, norm: true })[0];
      expectClose(full, feats, 1e-6, 'last block + norm = forwardFeatures');
    });
    vit.dispose();
  });

  it('freeze / unfreeze by module path, glob, RegExp or predicate (seed 000 and seed 002 recipes)', () => {
    const vit = createViT({ ...TINY, depth: 3 });
    const trainable = () => vit.namedParameters().filter(([, p]) => p.trainable).map(([k]) => k);
    vit.freeze(['patch_embed', 'cls_token', 'pos_embed', 'blocks.0', 'blocks.1']);
    expect(trainable().every((k) => k.startsWith('blocks.2') || k.startsWith('norm') || k.startsWith('head'))).toBe(true);
    expect(trainable()).toContain('blocks.2.attn.qkv.weight');
    vit.unfreeze().freeze((k) => !k.startsWith('head'));
    expect(trainable()).toEqual(['head.weight', 'head.bias']);
    vit.unfreeze(/^blocks\.\d+\.norm\d\./);
    expect(trainable()).toContain('blocks.1.norm2.bias');
    vit.unfreeze('*');
    expect(vit.trainableVariables().length).toBe(vit.parameters().length);
    vit.dispose();
  });

  it('noWeightDecay names pos_embed, cls_token, reg_token and every 1-D parameter', () => {
    const vit = createViT({ ...TINY, regTokens: 1 });
    const skip = new Set(vit.noWeightDecay());
    for (const k of ['pos_embed', 'cls_token', 'reg_token', 'blocks.0.norm1.weight', 'blocks.1.attn.qkv.bias', 'head.bias']) {
      expect(skip.has(k), k).toBe(true);
    }
    expect(skip.has('blocks.0.attn.qkv.weight')).toBe(false);
    expect(skip.has('patch_embed.proj.weight')).toBe(false);
    vit.dispose();
  });

  it('resetClassifier replaces the head and the pooling; numClasses 0 returns pooled features', () => {
    const vit = createViT(TINY).eval();
    vit.resetClassifier(3);
    tf.tidy(() => {
      expect(vit.forward(tf.zeros([1, 16, 24, 3])).shape).toEqual([1, 3]);
    });
    vit.resetClassifier(0, 'avg');
    expect(vit.globalPool).toBe('avg');
    expect([...vit.stateDict().keys()].some((k) => k.startsWith('head'))).toBe(false);
    tf.tidy(() => {
      expect(vit.forward(tf.zeros([1, 16, 24, 3])).shape).toEqual([1, 32]);
    });
    vit.dispose();
  });

  it('train() enables dropout and drop-path; eval() makes forward deterministic', () => {
    const vit = createViT({ ...TINY, dropRate: 0.5, dropPathRate: 0.5, posDropRate: 0.3 });
    tf.tidy(() => {
      const x = tf.randomNormal([4, 16, 24, 3]);
      const a = vit.train().forward(x).dataSync();
      const b = vit.forward(x).dataSync();
      expect(Array.from(a)).not.toEqual(Array.from(b));
      const c = vit.eval().forward(x).dataSync();
      const d = vit.forward(x).dataSync();
      expect(Array.from(c)).toEqual(Array.from(d));
    });
    vit.dispose();
  });

  it('dropPathRate rises linearly from 0 at the first block to the rate at the last (timm linspace)', () => {
    const vit = createViT({ ...TINY, depth: 5, dropPathRate: 0.2 });
    const rates = [...vit.blocks].map((b) => {
      const dp = (b as unknown as Block).dropPath1;
      return dp instanceof DropPath ? dp.rate : 0;
    });
    rates.forEach((r, i) => expect(r).toBeCloseTo((0.2 * i) / 4, 7));
    vit.dispose();
  });

  it('a frozen pos_embed stays frozen through setInputSize', () => {
    const vit = createViT(TINY).freeze('pos_embed');
    vit.setInputSize([24, 32]);
    expect(vit.posEmbed!.shape).toEqual([1, 1 + 12, 32]);
    expect(vit.posEmbed!.trainable).toBe(false);
    vit.dispose();
  });

  it('injectable parts: a custom normLayer and blockFn are used everywhere', () => {
    let norms = 0;
    let blocks = 0;
    const vit = createViT({
      ...TINY,
      normLayer: (d) => {
        norms++;
        return new LayerNorm(d, { eps: 1e-5 });
      },
      blockFn: (dim) => {
        blocks++;
        return new Identity() as unknown as TensorModule;
      },
    }).eval();
    expect(blocks).toBe(2);
    expect(norms).toBe(1); // the final norm (blocks were replaced)
    tf.tidy(() => {
      expect(vit.forward(tf.zeros([1, 16, 24, 3])).shape).toEqual([1, 5]);
    });
    vit.dispose();
  });

  it('rejects wrong input sizes and layouts with messages that say what was expected', () => {
    const vit = createViT(TINY).eval();
    expect(() => vit.forward(tf.zeros([1, 24, 24, 3]))).toThrow(ShapeError);
    expect(() => vit.forward(tf.zeros([1, 24, 24, 3]))).toThrow(/expected a 16x24 image/);
    expect(() => vit.forward(tf.zeros([1, 3, 16, 24]))).toThrow(/dataFormat: 'NCHW'/);
    vit.dispose();
  });

  it('does not leak tensors (forward, features, intermediates, attention, dynamic size)', () => {
    const vit = createViT({ ...TINY, dynamicImgSize: true, regTokens: 1 }).eval();
    const x = tf.randomNormal([1, 16, 24, 3]);
    const big = tf.randomNormal([1, 24, 32, 3]);
    expect(tensorGrowth(() => vit.forward(x))).toBe(0);
    expect(tensorGrowth(() => vit.forward(big))).toBe(0);
    expect(tensorGrowth(() => vit.forwardFeatures(x))).toBe(0);
    expect(tensorGrowth(() => vit.getIntermediateLayers(x, 2, { reshape: true }))).toBe(0);
    expect(tensorGrowth(() => {
      const r = vit.forwardWithAttention(x);
      return [r.logits, ...r.attentions];
    })).toBe(0);
    const before = tf.memory().numTensors;
    vit.setInputSize([24, 32]);
    vit.resetClassifier(2);
    expect(tf.memory().numTensors).toBe(before - 2 + 2); // old head weight/bias freed, new ones made
    tf.dispose([x, big]);
    vit.dispose();
  });

  it('100 forward calls leave the tensor count, data buffers and bytes where they were', () => {
    const vit = createViT({ ...TINY, qkvBias: true }).eval();
    const x = tf.randomNormal([2, 16, 24, 3]);
    tf.dispose(vit.forward(x)); // warm-up: backends may cache constants on first use
    const before = tf.memory();
    for (let i = 0; i < 100; i++) tf.dispose(vit.forward(x));
    const after = tf.memory();
    expect([after.numTensors, after.numDataBuffers, after.numBytes]).toEqual([before.numTensors, before.numDataBuffers, before.numBytes]);
    x.dispose();
    vit.dispose();
  });
});

