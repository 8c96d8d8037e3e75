// LayerNorm over the last axis with learnable weight and bias (PyTorch's nn.LayerNorm).
import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError, fmtShape, layerNorm, ShapeError } from '@tfjs-vit/ops';
import { Module, Parameter } from './module';

export interface LayerNormOptions {
  /**
   * Added to the variance. Default **1e-6**, what timm's ViT uses (`partial(nn.LayerNorm, eps=1e-6)`);
   * PyTorch's own default is 1e-5, so pass `eps: 1e-5` to match a plain `nn.LayerNorm(dim)`.
   */
  eps?: number;
  /** Learn `weight` and `bias` (default true; PyTorch's `elementwise_affine`). */
  affine?: boolean;
}

/**
 * Normalises the last axis to zero mean and unit variance, then scales by `weight` and shifts by
 * `bias` (initialised to ones and zeros). State-dict keys `weight [dim]`, `bias [dim]`.
 *
 * @example
 * ```ts
 * const norm = new LayerNorm(768);             // eps 1e-6, as timm's ViT
 * const y = norm.forward(tf.zeros([1, 197, 768]));
 * const torchLike = new LayerNorm(768, { eps: 1e-5 });
 * ```
 */
export class LayerNorm extends Module {
  readonly dim: number;
  readonly eps: number;
  readonly weight: Parameter | null;
  readonly bias: Parameter | null;

  constructor(dim: number, options: LayerNormOptions = {}) {
    super();
    if (!(Number.isInteger(dim) && dim > 0)) throw new ArgumentError(`LayerNorm: dim must be a positive integer, got ${dim}`);
    this.dim = dim;
    this.eps = options.eps ?? 1e-6;
    const affine = options.affine ?? true;
    this.weight = affine ? this.registerParameter('weight', tf.ones([dim])) : null;
    this.bias = affine ? this.registerParameter('bias', tf.zeros([dim])) : null;
  }

  /** `x [..., dim]` → same shape. */
  forward(x: tf.Tensor): tf.Tensor {
    if (x.shape[x.rank - 1] !== this.dim) {
      throw new ShapeError(`LayerNorm: expected input [..., ${this.dim}], got ${fmtShape(x.shape)}`);
    }
    return layerNorm(x, this.weight?.value, this.bias?.value, this.eps);
  }
}
