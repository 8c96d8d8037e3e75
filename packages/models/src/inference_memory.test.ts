// Inference memory: a forward pass holds the weights plus at most twice one block's working set,
// however deep the model (each block frees its intermediates before the next runs). Measured with
// tf.profile's peak, in bytes as tfjs counts them; the ViT-B/16 figure is in the bench.
import * as tf from '@tensorflow/tfjs-core';
import { describeBackends } from '@tfjs-vit/testing';
import { expect, it } from 'vitest';
import { createModel } from './registry';
import type { VisionTransformer } from './vision_transformer';

/** Bytes `fn` allocates beyond what was live when it started, at its peak. */
async function peakBytesOf(fn: () => tf.Tensor): Promise<number> {
  const start = tf.memory().numBytes;
  const info = await tf.profile(fn);
  tf.dispose(info.result as tf.Tensor);
  return info.peakBytes - start;
}

describeBackends('inference memory', () => {
  for (const batch of [1, 2]) {
    it(`vit_tiny_patch16_224 batch ${batch}: peak ≤ weights + 2 × one block's working set`, async () => {
      const vit = createModel<VisionTransformer>('vit_tiny_patch16_224').eval();
      const x = tf.randomNormal([batch, 224, 224, 3]);
      tf.dispose(vit.forward(x)); // warm-up: backends may cache constants on first use
      const forward = await peakBytesOf(() => vit.forward(x));

      const tokens = tf.tidy(() => vit.forwardFeatures(x)); // [B, 197, 192], a block's input shape
      const block = await peakBytesOf(() => vit.blocks.at(0).forward(tokens));
      const mlpHidden = batch * 197 * 4 * 192 * 4; // fc1's output, float32: the largest single activation
      expect(block).toBeGreaterThanOrEqual(mlpHidden);
      expect(forward, `forward peak ${forward} B against one block's ${block} B`).toBeLessThanOrEqual(2 * block);
      tf.dispose([x, tokens]);
      vit.dispose();
    });
  }
}, ['wasm']);
