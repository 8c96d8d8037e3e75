// Group Normalization (Wu & He, 2018) on channels-last input, with PyTorch's nn.GroupNorm
// parameters, and timm's GroupNormAct (norm, then an activation: the ResNetV2 norm layer).
import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError, fmtShape, ShapeError } from '@tfjs-vit/ops';
import type { TensorModule } from './containers';
import { Module, type Parameter } from './module';

/**
 * Normalises each sample's channels in `numGroups` groups over all positions (channels last:
 * `[B, …, C]`), biased variance, then `· weight + bias` per channel when given (PyTorch's
 * `F.group_norm` on the NCHW transpose).
 *
 * @example
 * ```ts
 * const y = groupNorm(tf.randomNormal([2, 8, 8, 64]), 32, undefined, undefined, 1e-5);
 * ```
 */
export function groupNorm(x: tf.Tensor, numGroups: number, weight?: tf.Tensor, bias?: tf.Tensor, eps = 1e-5): tf.Tensor {
  if (x.rank < 2) throw new ShapeError(`groupNorm: expected [B, …, C], got ${fmtShape(x.shape)}`);
  const c = x.shape[x.rank - 1]!;
  if (!(Number.isInteger(numGroups) && numGroups > 0 && c % numGroups === 0)) {
    throw new ArgumentError(`groupNorm: ${c} channels are not divisible into ${numGroups} groups`);
  }
  return tf.tidy(() => {
    const b = x.shape[0]!;
    const g = tf.reshape(x, [b, -1, numGroups, c / numGroups]);
    const mean = tf.mean(g, [1, 3], true);
    const centered = tf.sub(g, mean);
    const variance = tf.mean(tf.square(centered), [1, 3], true);
    let y = tf.reshape(tf.mul(centered, tf.rsqrt(tf.add(variance, eps))), x.shape);
    if (weight) y = tf.mul(y, weight);
    if (bias) y = tf.add(y, bias);
    return y;
  });
}

/** Options of {@link GroupNorm}. */
export interface GroupNormOptions {
  /** Added to the variance (default 1e-5, PyTorch's). */
  eps?: number;
  /** Learn per-channel `weight` and `bias` (default true). */
  affine?: boolean;
}

/**
 * `torch.nn.GroupNorm(numGroups, numChannels)` on channels-last input (`[B, H, W, C]`, or any
 * `[B, …, C]`). State-dict keys `weight [C]`, `bias [C]` (ones and zeros at first).
 *
 * @example
 * ```ts
 * const gn = new GroupNorm(32, 256);
 * gn.forward(tf.zeros([1, 56, 56, 256])).shape; // [1, 56, 56, 256]
 * ```
 */
export class GroupNorm extends Module {
  readonly numGroups: number;
  readonly numChannels: number;
  readonly eps: number;
  readonly weight: Parameter | null;
  readonly bias: Parameter | null;

  constructor(numGroups: number, numChannels: number, options: GroupNormOptions = {}) {
    super();
    if (!(Number.isInteger(numChannels) && numChannels > 0)) throw new ArgumentError(`GroupNorm: numChannels must be a positive integer, got ${numChannels}`);
    if (!(Number.isInteger(numGroups) && numGroups > 0 && numChannels % numGroups === 0)) {
      throw new ArgumentError(`GroupNorm: numChannels (${numChannels}) must be divisible by numGroups (${numGroups})`);
    }
    const eps = options.eps ?? 1e-5;
    if (!(eps >= 0)) throw new ArgumentError(`GroupNorm: eps must be >= 0, got ${eps}`);
    this.numGroups = numGroups;
    this.numChannels = numChannels;
    this.eps = eps;
    const affine = options.affine ?? true;
    this.weight = affine ? this.registerParameter('weight', tf.ones([numChannels])) : null;
    this.bias = affine ? this.registerParameter('bias', tf.zeros([numChannels])) : null;
  }

  forward(x: tf.Tensor): tf.Tensor {
    if (x.rank < 2 || x.shape[x.rank - 1] !== this.numChannels) {
      throw new ShapeError(`GroupNorm: expected channels-last input [B, …, ${this.numChannels}], got ${fmtShape(x.shape)}`);
    }
    return groupNorm(x, this.numGroups, this.weight?.value, this.bias?.value, this.eps);
  }
}

/** Options of {@link GroupNormAct}. */
export interface GroupNormActOptions extends GroupNormOptions {
  /** Groups (default 32); ignored when `groupSize` is given. */
  numGroups?: number;
  /** Channels per group instead of a group count (timm's `group_size`). */
  groupSize?: number;
  /** Apply the activation (default true; false for the norm before a residual add). */
  applyAct?: boolean;
  /** The activation (default ReLU). It must have no parameters: the state dict is the norm's. */
  actLayer?: () => TensorModule;
}

/**
 * timm's `GroupNormAct`: a {@link GroupNorm} followed by an activation (ReLU by default), with
 * the norm's own keys (`weight`, `bias`) since timm's class inherits from `nn.GroupNorm`. Note
 * the channel count comes first, as in timm.
 *
 * @example
 * ```ts
 * const norm = new GroupNormAct(256);                      // 32 groups, eps 1e-5, ReLU
 * const noAct = new GroupNormAct(256, { applyAct: false }); // before a residual add
 * ```
 */
export class GroupNormAct extends GroupNorm {
  readonly applyAct: boolean;
  private readonly act: TensorModule | null;

  constructor(numChannels: number, options: GroupNormActOptions = {}) {
    const groups = options.groupSize ? numChannels / options.groupSize : options.numGroups ?? 32;
    super(groups, numChannels, options);
    this.applyAct = options.applyAct ?? true;
    this.act = this.applyAct && options.actLayer ? this.registerModule('act', options.actLayer()) : null;
    if (this.act && this.act.numParameters() > 0) {
      throw new ArgumentError('GroupNormAct: actLayer must have no parameters');
    }
  }

  override forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const y = super.forward(x);
      if (!this.applyAct) return y;
      return this.act ? this.act.forward(y) : tf.relu(y);
    });
  }
}
