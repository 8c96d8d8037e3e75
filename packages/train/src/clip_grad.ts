// Gradient clipping by global norm, as torch.nn.utils.clip_grad_norm_.
import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError } from '@tfjs-vit/ops';

/**
 * Scales all gradients by `min(1, maxNorm / (totalNorm + 1e-6))`, where `totalNorm` is the 2-norm
 * (or `normType`-norm, `Infinity` for max-abs) of all gradients together. Returns new gradients
 * (the caller disposes them and the inputs) and the total norm before clipping.
 *
 * @example
 * ```ts
 * const { grads: clipped, totalNorm } = clipGradNorm(grads, 1.0);
 * ```
 */
export function clipGradNorm(
  grads: tf.NamedTensorMap,
  maxNorm: number,
  normType = 2,
): { grads: tf.NamedTensorMap; totalNorm: number } {
  if (!(maxNorm > 0)) throw new ArgumentError(`maxNorm: expected > 0, got ${maxNorm}`);
  if (!(normType > 0)) throw new ArgumentError(`normType: expected > 0, got ${normType}`);
  const names = Object.keys(grads);
  if (names.length === 0) return { grads: {}, totalNorm: 0 };
  const total = tf.tidy(() => {
    const norms = names.map((n) => tf.norm(tf.cast(grads[n], 'float32'), normType === Infinity ? Infinity : normType));
    return normType === Infinity ? tf.max(tf.stack(norms)) : tf.norm(tf.stack(norms), normType);
  });
  const totalNorm = total.dataSync()[0];
  const coef = Math.min(1, maxNorm / (totalNorm + 1e-6));
  const out: tf.NamedTensorMap = {};
  tf.tidy(() => {
    for (const n of names) out[n] = tf.keep(tf.mul(grads[n], coef));
  });
  total.dispose();
  return { grads: out, totalNorm };
}
