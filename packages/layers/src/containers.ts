// Containers: ModuleList (children named "0", "1", … as in PyTorch), Sequential and Identity.
import * as tf from '@tensorflow/tfjs-core';
import { Module } from './module';

/** A module with a single-tensor forward; what injectable parts (norm, act, mlp) must be. */
export type TensorModule = Module & { forward(x: tf.Tensor): tf.Tensor };

/**
 * An indexed list of modules whose state-dict keys are `0.…`, `1.…` (timm's `blocks.3.attn…`).
 *
 * @example
 * ```ts
 * const blocks = new ModuleList([new Linear(4, 4), new Linear(4, 4)]);
 * [...blocks.stateDict().keys()]; // ['0.weight', '0.bias', '1.weight', '1.bias']
 * ```
 */
export class ModuleList<M extends Module = Module> extends Module {
  private readonly items: M[] = [];

  constructor(items: readonly M[] = []) {
    super();
    for (const m of items) this.push(m);
  }

  push(module: M): M {
    this.registerModule(String(this.items.length), module);
    this.items.push(module);
    return module;
  }

  at(index: number): M {
    const m = this.items.at(index);
    if (!m) throw new RangeError(`index ${index} out of range for ${this.items.length} modules`);
    return m;
  }

  get length(): number {
    return this.items.length;
  }

  [Symbol.iterator](): Iterator<M> {
    return this.items[Symbol.iterator]();
  }
}

/** Applies its modules in order. */
export class Sequential extends ModuleList<TensorModule> {
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      let y = x;
      for (const m of this) y = m.forward(y);
      return y;
    });
  }
}

/** Returns its input; the stand-in for an optional part that is switched off (timm's nn.Identity). */
export class Identity extends Module {
  forward(x: tf.Tensor): tf.Tensor {
    return x;
  }
}
