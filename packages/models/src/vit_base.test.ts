// ViT-B/16 at 224 with random weights on a real backend: the full-size model runs and is finite.
import * as tf from '@tensorflow/tfjs-core';
import { describeBackends } from '@tfjs-vit/testing';
import { expect, it } from 'vitest';
import { countParameters } from './param_count';
import { createModel, getModelConfig } from './registry';

describeBackends(
  'vit_base_patch16_224 (random weights)',
  () => {
    it('forward at 224 gives finite logits [1, 1000]', () => {
      const vit = createModel('vit_base_patch16_224').eval();
      expect(vit.numParameters()).toBe(countParameters(getModelConfig('vit_base_patch16_224')));
      const x = tf.randomUniform([1, 224, 224, 3], -1, 1);
      const t0 = performance.now();
      const logits = vit.forward(x);
      const data = logits.dataSync();
      console.log(`[${tf.getBackend()}] ViT-B/16 forward at 224, batch 1: ${(performance.now() - t0).toFixed(0)} ms`);
      expect(logits.shape).toEqual([1, 1000]);
      expect(data.every(Number.isFinite)).toBe(true);
      tf.dispose([x, logits]);
      vit.dispose();
    });
  },
  ['wasm'],
);
