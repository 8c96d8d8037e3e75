// The hybrid ResNetV2 backbone: timm's keys, conv arithmetic, stem-only form, errors.
import * as tf from '@tensorflow/tfjs-core';
import { withZeroInit } from '@tfjs-vit/layers';
import { ArgumentError, ShapeError } from '@tfjs-vit/ops';
import { describeBackends, tensorGrowth } from '@tfjs-vit/testing';
import { describe, expect, it } from 'vitest';
import { createResNetV2Backbone, makeDivisible, resNetV2Shapes, ResNetV2, ResNetV2Stem } from './resnetv2';

const BLOCK = ['conv1.weight', 'norm1.weight', 'norm1.bias', 'conv2.weight', 'norm2.weight', 'norm2.bias', 'conv3.weight', 'norm3.weight', 'norm3.bias'];
const DOWN = ['downsample.conv.weight', 'downsample.norm.weight', 'downsample.norm.bias'];

it("makeDivisible is timm's make_divisible(v, 8)", () => {
  expect([64, 128, 256, 512, 8, 3, 12, 20, 36].map((v) => makeDivisible(v))).toEqual([64, 128, 256, 512, 8, 8, 16, 24, 40]);
});

describeBackends('ResNetV2 (hybrid backbone)', () => {
  it("ResNetV2([1, 2]): timm's keys and OIHW shapes, in timm's order", () => {
    const r = withZeroInit(() => new ResNetV2([1, 2]));
    const shapes = new Map(r.namedParameters('', { includeBuffers: true }).map(([k, p]) => [k, p.stateShape]));
    expect([...shapes.keys()]).toEqual([
      'stem.conv.weight', 'stem.norm.weight', 'stem.norm.bias',
      ...[...DOWN, ...BLOCK].map((k) => `stages.0.blocks.0.${k}`),
      ...[...DOWN, ...BLOCK].map((k) => `stages.1.blocks.0.${k}`),
      ...BLOCK.map((k) => `stages.1.blocks.1.${k}`),
    ]);
    expect(shapes.get('stem.conv.weight')).toEqual([64, 3, 7, 7]);
    expect(shapes.get('stages.0.blocks.0.downsample.conv.weight')).toEqual([256, 64, 1, 1]);
    expect(shapes.get('stages.1.blocks.0.conv2.weight')).toEqual([128, 128, 3, 3]);
    expect(shapes.get('stages.1.blocks.1.conv1.weight')).toEqual([128, 512, 1, 1]);
    expect(r.outChannels).toBe(512);
    r.dispose();
  });

  it('outputSize is the real feature-map size at odd and even sizes (ceil at every stride 2)', () => {
    const r = new ResNetV2([1, 1, 1], { stemChs: 8, channels: [16, 32, 32], numGroups: 4 });
    for (const [h, w] of [[32, 30], [33, 17], [9, 40], [1, 1]]) {
      tf.tidy(() => {
        const y = r.forward(tf.randomNormal([2, h, w, 3]));
        expect(y.shape).toEqual([2, ...r.outputSize(h, w), 32]);
      });
    }
    expect(r.outputSize(224, 224)).toEqual([14, 14]);
    const x = tf.randomNormal([1, 20, 20, 3]);
    expect(tensorGrowth(() => r.forward(x))).toBe(0);
    x.dispose();
    r.dispose();
  });

  it('layers [] is the bare stem (keys conv/norm, /4, 64 channels), as timm', () => {
    const stem = createResNetV2Backbone([]);
    expect(stem).toBeInstanceOf(ResNetV2Stem);
    expect([...stem.stateDict().keys()]).toEqual(['conv.weight', 'norm.weight', 'norm.bias']);
    expect(stem.outputSize(224, 224)).toEqual([56, 56]);
    tf.tidy(() => {
      expect(stem.forward(tf.zeros([1, 35, 64, 3])).shape).toEqual([1, 9, 16, 64]);
    });
    stem.dispose();
  });

  it('typed errors naming the problem', () => {
    expect(() => new ResNetV2([])).toThrow(/layers is empty/);
    expect(() => createResNetV2Backbone([1, 0])).toThrow(/layers\[1\] must be a positive integer \(blocks in stage 1\), got 0/);
    expect(() => createResNetV2Backbone([1, 1, 1, 1, 1])).toThrow(/at most 4 stages/);
    expect(() => createResNetV2Backbone([1, 1, 1], { channels: [256, 512] })).toThrow(ArgumentError);
    expect(() => createResNetV2Backbone([1.5])).toThrow(ArgumentError);
    expect(() => new ResNetV2Stem({ stemChs: 48 })).toThrow(/48 channels are not divisible into 32 GroupNorm groups/);
    const r = new ResNetV2([1], { stemChs: 8, channels: [16], numGroups: 4 });
    expect(() => r.forward(tf.zeros([1, 8, 8, 4]))).toThrow(ShapeError);
    expect(() => r.forward(tf.zeros([8, 8, 3]))).toThrow(ShapeError);
    r.dispose();
  });
});

describe('resNetV2Shapes', () => {
  it('lists exactly the built backbone’s keys and shapes, channels and feature size, without a tensor', () => {
    for (const [layers, options] of [[[3, 4, 9], {}], [[2, 2, 2, 2], {}], [[], {}], [[1, 2], { channels: [64, 128], stemChs: 32, numGroups: 8, inChans: 1 }]] as const) {
      const plan = resNetV2Shapes(layers, options);
      const built = withZeroInit(() => createResNetV2Backbone(layers, options));
      const sd = built.stateDict(); // PyTorch layouts (OIHW convs)
      expect(plan.shapes).toEqual(new Map([...sd].map(([k, t]) => [k, [...t.shape]])));
      tf.dispose([...sd.values()]);
      expect(plan.outChannels).toBe(built.outChannels);
      for (const [h, w] of [[224, 224], [384, 384], [67, 45]] as const) expect(plan.outputSize(h, w)).toEqual(built.outputSize!(h, w));
      built.dispose();
    }
    expect(() => resNetV2Shapes([1, 0])).toThrow(/layers\[1\] must be a positive integer/);
  });
});
