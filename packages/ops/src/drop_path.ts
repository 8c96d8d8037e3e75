// Stochastic depth (Huang et al., "Deep Networks with Stochastic Depth", 2016), per sample, as timm's drop_path.
import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError, ShapeError, fmtShape } from './errors';

/** Options of {@link dropPath}. */
export interface DropPathOptions {
  /** Probability of dropping a sample's whole residual branch, in [0, 1]. */
  rate: number;
  /** Only active when true; otherwise `dropPath` is the identity. */
  training: boolean;
  /** Divide kept samples by `1 - rate` so the expectation is unchanged (timm's default, true). */
  scaleByKeep?: boolean;
  /** Seed of the per-sample mask. */
  seed?: number;
}

/**
 * Zeroes whole samples (the first axis) of a residual branch with probability `rate` and scales
 * the kept ones by `1 / (1 - rate)`, as timm's `drop_path(x, drop_prob, training, scale_by_keep)`.
 * When not training or `rate` is 0 it returns `x` itself (no copy), as timm does.
 *
 * @example
 * ```ts
 * const y = dropPath(branch, { rate: 0.1, training: true }); // some rows are zero, others × 1/0.9
 * ```
 */
export function dropPath(x: tf.Tensor, opts: DropPathOptions): tf.Tensor {
  const { rate, training, scaleByKeep = true } = opts;
  if (!(rate >= 0 && rate <= 1)) throw new ArgumentError(`dropPath: rate must be in [0, 1], got ${rate}`);
  if (x.rank < 1) throw new ShapeError(`dropPath: x must have rank >= 1, got ${fmtShape(x.shape)}`);
  if (!training || rate === 0) return x;
  const keep = 1 - rate;
  return tf.tidy(() => {
    const maskShape = [x.shape[0], ...new Array<number>(x.rank - 1).fill(1)];
    // Bernoulli(keep): floor(keep + U[0, 1)) is 1 with probability keep.
    let mask = tf.floor(tf.add(keep, tf.randomUniform(maskShape, 0, 1, 'float32', opts.seed)));
    if (keep > 0 && scaleByKeep) mask = tf.div(mask, keep);
    return tf.mul(x, mask);
  });
}
