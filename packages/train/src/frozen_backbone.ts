// Head-only training without taping the frozen backbone: the forward of the patch embedding,
// blocks and final norm runs inside a customGrad whose gradient is zero, so TF.js records no tape
// nodes (and keeps no saved activations) for it. Without this, a ViT-B/16 at batch 8 keeps ~1 GB
// of backbone activations for a backward pass that only the head needs, and the wasm heap aborts.
import * as tf from '@tensorflow/tfjs-core';
import type { VisionTransformer } from '@tfjs-vit/models';
import { ArgumentError } from '@tfjs-vit/ops';

/** Prefixes of the parameters `forwardHead` uses (everything else is the backbone). */
const HEAD_PREFIXES = ['head.', 'head_dist.', 'attn_pool.', 'pre_logits.', 'fc_norm.'];

/**
 * Makes `model.forwardFeatures` run off the gradient tape (its input gets a zero gradient). Only
 * valid while every backbone parameter is frozen (after `linearProbe`): throws otherwise. Returns
 * a function that restores the original method.
 *
 * @example
 * ```ts
 * linearProbe(vit);
 * const restore = detachBackbone(vit);
 * await trainer.fit();
 * restore();
 * ```
 */
export function detachBackbone(model: VisionTransformer): () => void {
  const trainable = model.namedParameters().filter(([n, p]) => p.trainable && !HEAD_PREFIXES.some((h) => n.startsWith(h)));
  if (trainable.length) {
    throw new ArgumentError(`detachBackbone: backbone parameters are trainable (${trainable.slice(0, 3).map(([n]) => n).join(', ')}…); freeze them first (linearProbe)`);
  }
  const original = model.forwardFeatures;
  const features = (x: tf.Tensor) => original.call(model, x);
  const detached = tf.customGrad((x, _save) => ({
    value: tf.tidy(() => features(x as tf.Tensor)),
    gradFunc: () => tf.zerosLike(x as tf.Tensor),
  }));
  model.forwardFeatures = (x: tf.Tensor) => detached(x) as tf.Tensor;
  return () => {
    model.forwardFeatures = original;
  };
}
