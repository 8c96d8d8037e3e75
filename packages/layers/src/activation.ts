// Module forms of the activations ViTs use: GELU (exact erf, or the tanh approximation), QuickGELU
// (CLIP) and Tanh.
import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError, gelu, geluTanh } from '@tfjs-vit/ops';
import { Module } from './module';

export interface GELUOptions {
  /** `'none'` (default): exact, x·Φ(x) with erf, as PyTorch's `nn.GELU()`; `'tanh'`: the tanh approximation. */
  approximate?: 'none' | 'tanh';
}

/**
 * GELU activation as a module (PyTorch's `nn.GELU`), for `actLayer` factories. No parameters.
 *
 * @example
 * ```ts
 * const act = new GELU({ approximate: 'tanh' });
 * const y = act.forward(tf.tensor1d([-1, 0, 1]));
 * const mlp = new Mlp(768, { actLayer: () => new GELU({ approximate: 'tanh' }) });
 * ```
 */
export class GELU extends Module {
  readonly approximate: 'none' | 'tanh';

  constructor(options: GELUOptions = {}) {
    super();
    const approximate = options.approximate ?? 'none';
    if (approximate !== 'none' && approximate !== 'tanh') {
      throw new ArgumentError(`GELU: approximate must be 'none' or 'tanh', got '${String(approximate)}'`);
    }
    this.approximate = approximate;
  }

  forward(x: tf.Tensor): tf.Tensor {
    return this.approximate === 'tanh' ? geluTanh(x) : gelu(x);
  }
}

/**
 * Tanh as a module (timm's `pre_logits` activation in in21k ViT heads, seed 004). No parameters.
 *
 * @example
 * ```ts
 * const y = new Tanh().forward(tf.tensor1d([-2, 0, 2]));
 * ```
 */
export class Tanh extends Module {
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tanh(x);
  }
}

/**
 * QuickGELU, `x · σ(1.702·x)`: the activation OpenAI's CLIP was trained with (timm's
 * `act_layer='quick_gelu'`, the `*_clip_quickgelu_*` models). No parameters.
 *
 * @example
 * ```ts
 * const y = new QuickGELU().forward(tf.tensor1d([-1, 0, 1]));
 * ```
 */
export class QuickGELU extends Module {
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.mul(x, tf.sigmoid(tf.mul(x, 1.702))));
  }
}
