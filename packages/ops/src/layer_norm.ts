// Layer normalization (Ba, Kiros & Hinton, 2016) over the last axis, as torch.nn.functional.layer_norm.
import * as tf from '@tensorflow/tfjs-core';
import { ShapeError, fmtShape } from './errors';

/**
 * Normalizes `x` over its last axis with the biased variance (as PyTorch), then applies the
 * optional affine `gamma` (scale) and `beta` (shift), each of shape `[C]`.
 * `eps` defaults to 1e-6 as timm's ViT (`partial(nn.LayerNorm, eps=1e-6)`); PyTorch's own default is 1e-5.
 *
 * @example
 * ```ts
 * const y = layerNorm(tf.randomNormal([2, 197, 768]), gamma, beta); // [2, 197, 768]
 * ```
 */
export function layerNorm(x: tf.Tensor, gamma?: tf.Tensor, beta?: tf.Tensor, eps = 1e-6): tf.Tensor {
  if (x.rank < 1) throw new ShapeError(`layerNorm: x must have rank >= 1, got ${fmtShape(x.shape)}`);
  const C = x.shape[x.rank - 1];
  for (const [name, p] of [['gamma', gamma], ['beta', beta]] as const) {
    if (p && (p.rank !== 1 || p.shape[0] !== C)) {
      throw new ShapeError(`layerNorm: ${name} expected ${fmtShape([C])}, got ${fmtShape(p.shape)}`);
    }
  }
  return tf.tidy(() => {
    const mean = tf.mean(x, -1, true);
    const centered = tf.sub(x, mean);
    const variance = tf.mean(tf.square(centered), -1, true);
    let y = tf.mul(centered, tf.rsqrt(tf.add(variance, eps)));
    if (gamma) y = tf.mul(y, gamma);
    if (beta) y = tf.add(y, beta);
    return y;
  });
}
