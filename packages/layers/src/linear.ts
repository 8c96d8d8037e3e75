// Linear (fully connected) layer: y = x·W + b over the last axis. PyTorch's nn.Linear.
import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError, fmtShape, linear, ShapeError } from '@tfjs-vit/ops';
import { initWeight, type InitMode } from './init';
import { Module, Parameter, permutedLayout } from './module';

export interface LinearOptions {
  /** Learn an additive bias (default true). */
  bias?: boolean;
  /** Initial weights: `'timm'` (default: trunc normal 0.02, zero bias), `'torch'` or `'zeros'`. */
  init?: InitMode;
}

/**
 * A fully connected layer on the last axis of an input of any rank.
 *
 * The weight is stored `[in, out]` so that the forward is one plain 2-D matMul (the fastest wasm
 * kernel, and ops' `matMul` keeps the gradient on plain matMuls too); the state dict speaks
 * PyTorch's `weight [out, in]`, `bias [out]`.
 *
 * @example
 * ```ts
 * const fc = new Linear(768, 3072);
 * const y = fc.forward(tf.zeros([2, 197, 768])); // [2, 197, 3072]
 * fc.stateDict().get('weight')!.shape;            // [3072, 768]
 * ```
 */
export class Linear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  /** Stored `[in, out]`; state-dict key `weight`, shape `[out, in]`. */
  readonly weight: Parameter;
  readonly bias: Parameter | null;

  constructor(inFeatures: number, outFeatures: number, options: LinearOptions = {}) {
    super();
    if (!(Number.isInteger(inFeatures) && inFeatures > 0 && Number.isInteger(outFeatures) && outFeatures > 0)) {
      throw new ArgumentError(`Linear: features must be positive integers, got in=${inFeatures}, out=${outFeatures}`);
    }
    const init = options.init ?? 'timm';
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    this.weight = this.registerParameter('weight', initWeight([inFeatures, outFeatures], inFeatures, init), permutedLayout([1, 0]));
    this.bias = options.bias ?? true ? this.registerParameter('bias', initWeight([outFeatures], inFeatures, init, true)) : null;
  }

  /** `x [..., in]` → `[..., out]`. */
  forward(x: tf.Tensor): tf.Tensor {
    const last = x.shape[x.rank - 1];
    if (x.rank < 1 || last !== this.inFeatures) {
      throw new ShapeError(`Linear: expected input [..., ${this.inFeatures}], got ${fmtShape(x.shape)}`);
    }
    return tf.tidy(() => {
      const lead = x.shape.slice(0, -1);
      const y = linear(tf.reshape(x, [-1, this.inFeatures]), this.weight.value, this.bias?.value);
      return tf.reshape(y, [...lead, this.outFeatures]);
    });
  }
}
