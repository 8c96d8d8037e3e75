// Exponential moving average of model weights, as timm's ModelEmaV2 (ema ← decay·ema + (1−decay)·model).
import * as tf from '@tensorflow/tfjs-core';
import type { Module, Parameter, StateDict } from '@tfjs-vit/layers';
import { ArgumentError } from '@tfjs-vit/ops';

/**
 * Keeps an EMA copy of every parameter and buffer of `model` (in the model's stored layout).
 * Call `update(model)` after each optimizer step; evaluate with the averaged weights through
 * `swapInto(model)` (and again to swap back), or export them with `stateDict()` (timm names).
 *
 * @example
 * ```ts
 * const ema = new ModelEma(model, { decay: 0.9998 });
 * // after each optimizer.step(...)
 * ema.update(model);
 * ```
 */
export class ModelEma {
  readonly decay: number;
  private readonly shadow = new Map<string, tf.Variable>();
  private readonly layouts = new Map<string, Parameter>();

  constructor(model: Module, options: { decay?: number } = {}) {
    this.decay = options.decay ?? 0.9999;
    if (!(this.decay >= 0 && this.decay <= 1)) throw new ArgumentError(`decay: expected a value in [0, 1], got ${this.decay}`);
    for (const [name, p] of model.namedParameters('', { includeBuffers: true })) {
      this.shadow.set(name, tf.variable(p.variable, false, undefined, p.variable.dtype));
      this.layouts.set(name, p);
    }
  }

  private pairs(model: Module) {
    const params = new Map(model.namedParameters('', { includeBuffers: true }));
    if (params.size !== this.shadow.size || [...this.shadow.keys()].some((k) => !params.has(k))) {
      throw new ArgumentError(`model: expected the ${this.shadow.size} parameters the EMA was built from, got ${params.size} with other names`);
    }
    return [...this.shadow].map(([name, v]) => [v, params.get(name)!.variable] as const);
  }

  /** `ema ← decay·ema + (1 − decay)·model` for every parameter and buffer (timm ModelEmaV2.update). */
  update(model: Module): void {
    const d = this.decay;
    tf.tidy(() => {
      for (const [e, m] of this.pairs(model)) e.assign(tf.add(tf.mul(e, d), tf.mul(m, 1 - d)));
    });
  }

  /** Exchanges the model's weights with the EMA's (call again to swap back). */
  swapInto(model: Module): void {
    for (const [e, m] of this.pairs(model)) {
      const tmp = tf.clone(m);
      m.assign(e);
      e.assign(tmp);
      tmp.dispose();
    }
  }

  /** The EMA weights in timm's names and layouts (the caller disposes the tensors). */
  stateDict(): Map<string, tf.Tensor> {
    const out = new Map<string, tf.Tensor>();
    for (const [name, v] of this.shadow) out.set(name, tf.tidy(() => this.layouts.get(name)!.layout.toState(v)));
    return out;
  }

  /** Loads EMA weights given in timm's names and layouts (tensors are not disposed). */
  loadStateDict(dict: StateDict): void {
    const entries = dict instanceof Map ? dict : new Map(Object.entries(dict));
    for (const [name, v] of this.shadow) {
      const t = entries.get(name);
      if (!t) throw new ArgumentError(`EMA state: missing "${name}"`);
      tf.tidy(() => v.assign(tf.cast(this.layouts.get(name)!.layout.fromState(t), v.dtype)));
    }
  }

  /** Frees the EMA copies. */
  dispose(): void {
    for (const v of this.shadow.values()) v.dispose();
    this.shadow.clear();
  }
}
