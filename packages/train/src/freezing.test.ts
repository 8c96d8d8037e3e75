import * as tf from '@tensorflow/tfjs-core';
import { Module } from '@tfjs-vit/layers';
import { describeBackends } from '@tfjs-vit/testing';
import { expect, it } from 'vitest';
import { freezeEarlyLayers, linearProbe } from './freezing';
import { paramGroupsWeightDecay } from './param_groups';

/** Parameters named like a 3-block ViT with a pre-logits layer. */
class NamedOnly extends Module {
  constructor(names: string[]) {
    super();
    const nodes = new Map<string, Module>();
    for (const name of names) {
      const parts = name.split('.');
      let owner: Module = this;
      parts.slice(0, -1).forEach((part, i) => {
        const path = parts.slice(0, i + 1).join('.');
        if (!nodes.has(path)) nodes.set(path, owner.registerModule(part, new (class extends Module {})()));
        owner = nodes.get(path)!;
      });
      (owner as unknown as { registerParameter(n: string, t: tf.Tensor): void }).registerParameter(parts.at(-1)!, tf.zeros([2, 2]));
    }
  }
}

const NAMES = ['cls_token', 'pos_embed', 'patch_embed.proj.weight', ...[0, 1, 2].map((i) => `blocks.${i}.attn.qkv.weight`), 'norm.weight', 'fc_norm.weight', 'pre_logits.fc.weight', 'head.weight'];

describeBackends(
  'freezing recipes',
  () => {
    it('linearProbe keeps only head / pre_logits trainable; the optimizer groups follow', () => {
      const m = new NamedOnly(NAMES);
      expect(linearProbe(m)).toEqual(['pre_logits.fc.weight', 'head.weight']);
      expect(paramGroupsWeightDecay(m, 0.05).flatMap((g) => g.names)).toEqual(['pre_logits.fc.weight', 'head.weight']);
      expect(linearProbe(m, { includeFcNorm: true })).toContain('fc_norm.weight');
      expect(() => linearProbe(m, { prefixes: ['nothing.'] })).toThrow(/no parameter/);
      // DeiT distilled: both heads are the classifier
      const deit = new NamedOnly(['cls_token', 'dist_token', 'blocks.0.attn.qkv.weight', 'norm.weight', 'head.weight', 'head_dist.weight']);
      expect(linearProbe(deit)).toEqual(['head.weight', 'head_dist.weight']);
    });

    it('freezeEarlyLayers freezes the stem and the first N blocks', () => {
      const m = new NamedOnly(NAMES);
      expect(freezeEarlyLayers(m, 2)).toEqual(['blocks.2.attn.qkv.weight', 'norm.weight', 'fc_norm.weight', 'pre_logits.fc.weight', 'head.weight']);
      expect(freezeEarlyLayers(m, 0)).toEqual(NAMES.slice(3));
    });
  },
  ['cpu'],
);
