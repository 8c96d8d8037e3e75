// Stochastic gradient descent with momentum, dampening, Nesterov and L2 weight decay, as torch.optim.SGD.
import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError } from '@tfjs-vit/ops';
import { Optimizer, type ParamState, type ParamsInput, type ResolvedParamGroup } from './optimizer';

/** SGD's hyper-parameters (torch's defaults, except that `lr` has one: 0.01). */
export interface SGDOptions {
  lr?: number;
  momentum?: number;
  dampening?: number;
  nesterov?: boolean;
  weightDecay?: number;
}

/**
 * SGD as `torch.optim.SGD`: `d = g + wd·p`; with momentum `b ← d` on the first step, else
 * `b ← μ·b + (1 − dampening)·d`; `d = nesterov ? d + μ·b : b`; `p ← p − lr·d`.
 *
 * @example
 * ```ts
 * const opt = new SGD(model.trainableVariables(), { lr: 0.1, momentum: 0.9, nesterov: true });
 * ```
 */
export class SGD extends Optimizer {
  readonly type = 'SGD';
  readonly momentum: number;
  readonly dampening: number;
  readonly nesterov: boolean;

  constructor(params: ParamsInput, options: SGDOptions = {}) {
    super(params, { lr: options.lr ?? 0.01, weightDecay: options.weightDecay ?? 0 });
    this.momentum = options.momentum ?? 0;
    this.dampening = options.dampening ?? 0;
    this.nesterov = options.nesterov ?? false;
    if (this.nesterov && (this.momentum <= 0 || this.dampening !== 0)) {
      throw new ArgumentError(`nesterov: requires momentum > 0 and dampening 0, got momentum ${this.momentum}, dampening ${this.dampening}`);
    }
  }

  protected update(param: tf.Variable, grad: tf.Tensor, group: ResolvedParamGroup, state: ParamState): void {
    tf.tidy(() => {
      let d: tf.Tensor = tf.cast(grad, param.dtype);
      if (group.weightDecay !== 0) d = tf.add(d, tf.mul(param, group.weightDecay));
      if (this.momentum !== 0) {
        const first = !state.slots.has('momentum_buffer');
        const buf = this.slot(state, 'momentum_buffer', param, () => tf.clone(d));
        if (!first) buf.assign(tf.add(tf.mul(buf, this.momentum), tf.mul(d, 1 - this.dampening)));
        d = this.nesterov ? tf.add(d, tf.mul(buf, this.momentum)) : buf;
      }
      param.assign(tf.sub(param, tf.mul(d, group.lr)));
    });
  }
}
