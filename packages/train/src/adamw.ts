// AdamW (Loshchilov & Hutter, "Decoupled Weight Decay Regularization"), numerically as torch.optim.AdamW.
import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError } from '@tfjs-vit/ops';
import { Optimizer, type ParamState, type ParamsInput, type ResolvedParamGroup } from './optimizer';

/** AdamW's hyper-parameters (torch's defaults). */
export interface AdamWOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
}

/**
 * AdamW with decoupled weight decay, as `torch.optim.AdamW` (amsgrad off): per step
 * `p ← p·(1 − lr·wd)`, `m ← β1·m + (1−β1)·g`, `v ← β2·v + (1−β2)·g²`,
 * `p ← p − lr/(1−β1ᵗ) · m / (√v / √(1−β2ᵗ) + eps)` — eps added after the bias correction of v.
 *
 * @example
 * ```ts
 * const opt = new AdamW(paramGroupsWeightDecay(model, 0.05), { lr: 1e-3 });
 * ```
 */
export class AdamW extends Optimizer {
  readonly type = 'AdamW';
  readonly betas: [number, number];
  readonly eps: number;

  constructor(params: ParamsInput, options: AdamWOptions = {}) {
    super(params, { lr: options.lr ?? 1e-3, weightDecay: options.weightDecay ?? 1e-2 });
    this.betas = options.betas ?? [0.9, 0.999];
    this.eps = options.eps ?? 1e-8;
    for (const b of this.betas) if (!(b >= 0 && b < 1)) throw new ArgumentError(`betas: expected values in [0, 1), got [${this.betas}]`);
    if (!(this.eps >= 0)) throw new ArgumentError(`eps: expected ≥ 0, got ${this.eps}`);
  }

  protected update(param: tf.Variable, grad: tf.Tensor, group: ResolvedParamGroup, state: ParamState): void {
    const [beta1, beta2] = this.betas;
    const expAvg = this.slot(state, 'exp_avg', param);
    const expAvgSq = this.slot(state, 'exp_avg_sq', param);
    const t = state.step;
    const bc1 = 1 - beta1 ** t;
    const bc2Sqrt = Math.sqrt(1 - beta2 ** t);
    const stepSize = group.lr / bc1;
    tf.tidy(() => {
      const g = tf.cast(grad, param.dtype);
      const decayed = group.weightDecay !== 0 ? tf.mul(param, 1 - group.lr * group.weightDecay) : param;
      const m = tf.add(tf.mul(expAvg, beta1), tf.mul(g, 1 - beta1));
      const v = tf.add(tf.mul(expAvgSq, beta2), tf.mul(tf.mul(g, g), 1 - beta2));
      const denom = tf.add(tf.div(tf.sqrt(v), bc2Sqrt), this.eps);
      expAvg.assign(m);
      expAvgSq.assign(v);
      param.assign(tf.sub(decayed, tf.mul(tf.div(m, denom), stepSize)));
    });
  }
}
