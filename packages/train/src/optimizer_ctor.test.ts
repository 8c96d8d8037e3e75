import * as tf from '@tensorflow/tfjs-core';
import { describeBackends } from '@tfjs-vit/testing';
import { expect, it } from 'vitest';
import { AdamW } from './adamw';
import { SGD } from './sgd';
import { TinyMLP } from './test_model';

describeBackends(
  'optimizer parameter inputs',
  () => {
    it('a module gives its trainable parameters under their state-dict names', () => {
      const m = new TinyMLP();
      m.fc2.setTrainable(false);
      const opt = new AdamW(m);
      expect(opt.paramGroups[0].params.map((p) => p.name)).toEqual(['pos_embed', 'fc1.weight', 'fc1.bias']);
    });

    it('plain variables are named by position, so state reloads into a rebuilt optimizer', () => {
      const a = new TinyMLP();
      const b = new TinyMLP();
      const optA = new SGD(a.trainableVariables(), { lr: 0.1, momentum: 0.9 });
      const grads: tf.NamedTensorMap = {};
      for (const v of optA.variables()) grads[v.name] = tf.onesLike(v);
      optA.step(grads);
      const optB = new SGD(b.trainableVariables(), { lr: 0.1, momentum: 0.9 });
      optB.loadStateDict(optA.stateDict());
      expect(optB.statefulParams()).toEqual(['0', '1', '2', '3', '4']);
      expect(() => new SGD([{ name: 'x', variable: a.fc1.weight.variable }, { name: 'x', variable: a.fc1.bias.variable }])).toThrow(/given twice/);
    });
  },
  ['cpu'],
);
