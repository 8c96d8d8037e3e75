// Token pooling for the classifier head (timm's VisionTransformer._pool / global_pool).
import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError } from '@tfjs-vit/ops';
import type { GlobalPool } from './vit_config';

/**
 * Pools `[B, N, C]` tokens to `[B, C]` as timm does: `'token'` takes token 0 (the class token),
 * `'avg'` / `'max'` / `'avgmax'` pool the tokens after the `numPrefixTokens` class/register
 * tokens (0 pools them all: timm's `pool_include_prefix`), `''` returns the tokens unchanged.
 * `'map'` needs the model's attention pool (`VisionTransformer.forwardHead`).
 *
 * @example
 * ```ts
 * poolTokens(tokens, 'avg', 1); // mean of the patch tokens, [B, C]
 * ```
 */
export function poolTokens(x: tf.Tensor, pool: GlobalPool, numPrefixTokens: number): tf.Tensor {
  if (pool === '') return x;
  if (pool === 'map') throw new ArgumentError("poolTokens: 'map' pooling is the model's attention pool (attn_pool), not a reduction");
  return tf.tidy(() => {
    const [b, n, c] = x.shape;
    if (pool === 'token') return tf.reshape(tf.slice(x, [0, 0, 0], [b, 1, c]), [b, c]);
    const patches = tf.slice(x, [0, numPrefixTokens, 0], [b, n - numPrefixTokens, c]);
    if (pool === 'avg') return tf.mean(patches, 1);
    if (pool === 'max') return tf.max(patches, 1);
    return tf.mul(tf.add(tf.max(patches, 1), tf.mean(patches, 1)), 0.5);
  });
}
