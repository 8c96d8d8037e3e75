// The transformer MLP (timm's layers/mlp.py Mlp): fc1 → act → drop1 → norm → fc2 → drop2.
import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError } from '@tfjs-vit/ops';
import { GELU } from './activation';
import { Identity, type TensorModule } from './containers';
import { Dropout } from './dropout';
import type { InitMode } from './init';
import { Linear } from './linear';
import { Module } from './module';

export interface MlpOptions {
  /** Hidden width (default `inFeatures · mlpRatio`). */
  hiddenFeatures?: number;
  /** Hidden width as a multiple of the input (default 4), used when `hiddenFeatures` is not given. */
  mlpRatio?: number;
  /** Output width (default `inFeatures`). */
  outFeatures?: number;
  /** Makes the activation (default `() => new GELU()`, exact erf). */
  actLayer?: () => TensorModule;
  /** Optional norm on the hidden features (timm's `norm_layer`, e.g. for NormMlp); default none. */
  normLayer?: (dim: number) => TensorModule;
  /** Biases of fc1 and fc2 (default true; a pair sets each). */
  bias?: boolean | readonly [boolean, boolean];
  /** Dropout after the activation and after fc2 (default 0; a pair sets each). */
  drop?: number | readonly [number, number];
  /** Initial weights of fc1/fc2 (default `'timm'`). */
  init?: InitMode;
}

/** What a `mlpLayer` factory of `Block` receives. */
export interface MlpLayerArgs {
  hiddenFeatures: number;
  actLayer: () => TensorModule;
  drop: number;
  /** Biases of fc1 and fc2 (timm's `bias=proj_bias`; absent means true). */
  bias?: boolean;
  /** Norm on the hidden features (timm's `scale_mlp_norm`); absent means none. */
  normLayer?: (dim: number) => TensorModule;
}

/**
 * Two Linear layers with an activation between, on the last axis. Children (timm's names):
 * `fc1`, `act`, `drop1`, `norm`, `fc2`, `drop2`; state-dict keys `fc1.weight [hidden, in]`, …
 *
 * @example
 * ```ts
 * const mlp = new Mlp(768);                       // hidden 3072, exact GELU
 * const y = mlp.forward(tf.zeros([2, 197, 768])); // [2, 197, 768]
 * ```
 */
export class Mlp extends Module {
  readonly fc1: Linear;
  readonly act: TensorModule;
  readonly drop1: Dropout;
  readonly norm: TensorModule;
  readonly fc2: Linear;
  readonly drop2: Dropout;

  constructor(inFeatures: number, options: MlpOptions = {}) {
    super();
    const hidden = options.hiddenFeatures ?? Math.floor(inFeatures * (options.mlpRatio ?? 4));
    if (!(Number.isInteger(hidden) && hidden > 0)) throw new ArgumentError(`Mlp: hidden features must be a positive integer, got ${hidden}`);
    const out = options.outFeatures ?? inFeatures;
    const [bias1, bias2] = typeof options.bias === 'object' ? options.bias : [options.bias ?? true, options.bias ?? true];
    const [drop1, drop2] = typeof options.drop === 'object' ? options.drop : [options.drop ?? 0, options.drop ?? 0];
    this.fc1 = this.registerModule('fc1', new Linear(inFeatures, hidden, { bias: bias1, init: options.init }));
    this.act = this.registerModule('act', (options.actLayer ?? (() => new GELU()))());
    this.drop1 = this.registerModule('drop1', new Dropout(drop1));
    this.norm = this.registerModule('norm', options.normLayer ? options.normLayer(hidden) : new Identity());
    this.fc2 = this.registerModule('fc2', new Linear(hidden, out, { bias: bias2, init: options.init }));
    this.drop2 = this.registerModule('drop2', new Dropout(drop2));
  }

  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const h = this.norm.forward(this.drop1.forward(this.act.forward(this.fc1.forward(x))));
      return this.drop2.forward(this.fc2.forward(h));
    });
  }
}
