import * as tf from '@tensorflow/tfjs-core';
import { Module } from '@tfjs-vit/layers';
import { describeBackends, loadFixture } from '@tfjs-vit/testing';
import { expect, it } from 'vitest';
import { paramGroupsLayerDecay, paramGroupsWeightDecay, vitLayerId } from './param_groups';

const fx = loadFixture(new URL('../fixtures/param_groups.safetensors', import.meta.url));
const params = JSON.parse(fx.meta.params) as [string, number][];
const noWd = JSON.parse(fx.meta.no_weight_decay) as string[];

/** A module whose parameter names and ranks are a ViT's (tiny shapes). */
class FakeViT extends Module {
  constructor() {
    super();
    const tree = new Map<string, Module>();
    for (const [name, ndim] of params) {
      const parts = name.split('.');
      let owner: Module = this;
      for (let i = 0; i < parts.length - 1; i++) {
        const path = parts.slice(0, i + 1).join('.');
        let child = tree.get(path);
        if (!child) {
          child = owner.registerModule(parts[i], new (class extends Module {})());
          tree.set(path, child);
        }
        owner = child;
      }
      (owner as unknown as { registerParameter(n: string, t: tf.Tensor): void }).registerParameter(parts.at(-1)!, tf.zeros(new Array(ndim).fill(1)));
    }
  }
  noWeightDecay() {
    return new Set(noWd);
  }
}

// Pure bookkeeping: one backend is enough.
describeBackends(
  'parameter groups vs timm',
  () => {
  it('param_groups_layer_decay on ViT names', () => {
    const want = JSON.parse(fx.meta.layer_groups) as Record<string, { lr_scale: number; weight_decay: number; names: string[] }>;
    const model = new FakeViT();
    const groups = paramGroupsLayerDecay(model, { weightDecay: Number(fx.meta.weight_decay), layerDecay: Number(fx.meta.layer_decay) });
    expect(groups.length).toBe(Object.keys(want).length);
    const got = groups.map((g) => ({ names: g.names, lrScale: g.lrScale, weightDecay: g.weightDecay }));
    for (const w of Object.values(want)) {
      const g = got.find((x) => x.names[0] === w.names[0])!;
      expect(g.names).toEqual(w.names);
      expect(g.lrScale).toBeCloseTo(w.lr_scale, 12);
      expect(g.weightDecay).toBe(w.weight_decay);
    }
    model.dispose();
  });

  it('param_groups_weight_decay on ViT names; frozen parameters are left out', () => {
    const want = JSON.parse(fx.meta.wd_groups) as { no_decay: string[]; decay: string[] };
    const model = new FakeViT();
    const [noDecay, decay] = paramGroupsWeightDecay(model, 0.05);
    expect(noDecay.names).toEqual(want.no_decay);
    expect(decay.names).toEqual(want.decay);
    expect([noDecay.weightDecay, decay.weightDecay]).toEqual([0, 0.05]);
    for (const [n, p] of model.namedParameters()) if (n.startsWith('blocks.0.')) p.trainable = false;
    const all = paramGroupsWeightDecay(model, 0.05).flatMap((g) => g.names);
    expect(all.some((n) => n.startsWith('blocks.0.'))).toBe(false);
    expect(all.length).toBe(params.length - 12);
    model.dispose();
  });

  it('vitLayerId', () => {
    const depth = Number(fx.meta.depth);
    expect(vitLayerId('patch_embed.proj.weight', depth)).toBe(0);
    expect(vitLayerId(`blocks.${depth - 1}.mlp.fc2.bias`, depth)).toBe(depth);
    expect(vitLayerId('head.weight', depth)).toBe(depth + 1);
  });
},
  ['cpu'],
);
