// Dropout as a module (PyTorch's nn.Dropout): active only in training mode.
import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError } from '@tfjs-vit/ops';
import { Module } from './module';

/**
 * Zeroes each element with probability `p` and scales the rest by `1/(1-p)` while training;
 * the identity (returns `x` itself) in eval mode or when `p` is 0. No parameters.
 *
 * @example
 * ```ts
 * const drop = new Dropout(0.1);
 * const y = drop.forward(x);  // training (the default): some zeros
 * drop.eval();
 * drop.forward(x) === x;      // true
 * ```
 */
export class Dropout extends Module {
  readonly p: number;

  constructor(p = 0.5) {
    super();
    if (!(p >= 0 && p < 1)) throw new ArgumentError(`Dropout: p must be in [0, 1), got ${p}`);
    this.p = p;
  }

  forward(x: tf.Tensor): tf.Tensor {
    if (!this.training || this.p === 0) return x;
    return tf.dropout(x, this.p);
  }
}
