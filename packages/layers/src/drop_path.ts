// DropPath (stochastic depth) as a module: calls @tfjs-vit/ops' dropPath, active only in training.
import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError, dropPath } from '@tfjs-vit/ops';
import { Module } from './module';

/**
 * Drops a residual branch per sample with probability `rate` (timm's `DropPath`), scaling kept
 * samples by `1/(1-rate)`; the identity in eval mode. No parameters.
 *
 * @example
 * ```ts
 * const dp = new DropPath(0.1);
 * x = tf.add(x, dp.forward(branch)); // some samples get no branch while training
 * ```
 */
export class DropPath extends Module {
  readonly rate: number;
  readonly scaleByKeep: boolean;

  constructor(rate = 0, options: { scaleByKeep?: boolean } = {}) {
    super();
    if (!(rate >= 0 && rate <= 1)) throw new ArgumentError(`DropPath: rate must be in [0, 1], got ${rate}`);
    this.rate = rate;
    this.scaleByKeep = options.scaleByKeep ?? true;
  }

  forward(x: tf.Tensor): tf.Tensor {
    return dropPath(x, { rate: this.rate, training: this.training, scaleByKeep: this.scaleByKeep });
  }
}
