// LayerScale (Touvron et al., "Going deeper with Image Transformers" / CaiT, 2021): x · gamma.
import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError, fmtShape, ShapeError } from '@tfjs-vit/ops';
import { Module, Parameter } from './module';

/**
 * Multiplies the last axis by a learned per-channel `gamma`, initialised to `initValues`
 * (timm's `LayerScale`, used by `Block` when `initValues` is set). State-dict key `gamma [dim]`.
 *
 * @example
 * ```ts
 * const ls = new LayerScale(768, 1e-5);
 * const y = ls.forward(tf.ones([1, 197, 768])); // every value 1e-5
 * ```
 */
export class LayerScale extends Module {
  readonly dim: number;
  readonly gamma: Parameter;

  constructor(dim: number, initValues = 1e-5) {
    super();
    if (!(Number.isInteger(dim) && dim > 0)) throw new ArgumentError(`LayerScale: dim must be a positive integer, got ${dim}`);
    this.dim = dim;
    this.gamma = this.registerParameter('gamma', tf.fill([dim], initValues));
  }

  forward(x: tf.Tensor): tf.Tensor {
    if (x.shape[x.rank - 1] !== this.dim) {
      throw new ShapeError(`LayerScale: expected input [..., ${this.dim}], got ${fmtShape(x.shape)}`);
    }
    return tf.mul(x, this.gamma.value);
  }
}
