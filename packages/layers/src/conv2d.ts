// 2-D convolution on NHWC images with PyTorch's parameters and semantics (nn.Conv2d): enough for
// patch embedding and small CNN stems. Kernel stored HWIO (tfjs), state dict OIHW (PyTorch).
import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError, assertRank, fmtShape, ShapeError } from '@tfjs-vit/ops';
import { conv2dDifferentiable } from './conv2d_grad';
import { initWeight, type InitMode } from './init';
import { Module, Parameter, permutedLayout } from './module';

/** A size per spatial axis: one number for both, or `[h, w]`. */
export type Size2 = number | readonly [number, number];

export interface Conv2dOptions {
  /** Step between windows (default 1). */
  stride?: Size2;
  /**
   * Zero padding as PyTorch: a number or `[h, w]` padded on both sides (symmetric), `'valid'` (0),
   * or `'same'` (stride 1 only; an even kernel pads one more at the bottom/right, as PyTorch does).
   * Default 0.
   */
  padding?: Size2 | 'same' | 'valid';
  /** Learn a bias (default true). */
  bias?: boolean;
  /** Channel groups (default 1); inChannels and outChannels must both be divisible by it. */
  groups?: number;
  /** Initial weights (default `'torch'`: PyTorch's U(±1/√fanIn) for weight and bias). */
  init?: InitMode;
}

/** `[h, w]` from a number or a pair. */
export function pair(v: Size2): [number, number] {
  return typeof v === 'number' ? [v, v] : [v[0], v[1]];
}

/**
 * A convolution over NHWC input. State-dict keys `weight [out, in/groups, kh, kw]` (OIHW) and
 * `bias [out]`, as PyTorch; stored as an HWIO kernel for tfjs' conv2d.
 *
 * @example
 * ```ts
 * const stem = new Conv2d(3, 32, 3, { stride: 2, padding: 1 });
 * const y = stem.forward(tf.zeros([1, 224, 224, 3])); // [1, 112, 112, 32]
 * ```
 */
export class Conv2d extends Module {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  /** Explicit `[top, bottom, left, right]` zero padding. */
  readonly pads: [number, number, number, number];
  readonly groups: number;
  /** Stored HWIO `[kh, kw, in/groups, out]`; state dict OIHW. */
  readonly weight: Parameter;
  readonly bias: Parameter | null;

  constructor(inChannels: number, outChannels: number, kernelSize: Size2, options: Conv2dOptions = {}) {
    super();
    const groups = options.groups ?? 1;
    for (const [what, v] of [['inChannels', inChannels], ['outChannels', outChannels], ['groups', groups]] as const) {
      if (!(Number.isInteger(v) && v > 0)) throw new ArgumentError(`Conv2d: ${what} must be a positive integer, got ${v}`);
    }
    if (inChannels % groups || outChannels % groups) {
      throw new ArgumentError(`Conv2d: inChannels (${inChannels}) and outChannels (${outChannels}) must be divisible by groups (${groups})`);
    }
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.groups = groups;
    this.kernelSize = pair(kernelSize);
    this.stride = pair(options.stride ?? 1);
    this.pads = resolvePadding(options.padding ?? 0, this.kernelSize, this.stride);
    const [kh, kw] = this.kernelSize;
    const fanIn = (inChannels / groups) * kh * kw;
    const init = options.init ?? 'torch';
    this.weight = this.registerParameter('weight', initWeight([kh, kw, inChannels / groups, outChannels], fanIn, init), permutedLayout([2, 3, 1, 0]));
    this.bias = options.bias ?? true ? this.registerParameter('bias', initWeight([outChannels], fanIn, init, true)) : null;
  }

  /** `x [B, H, W, inChannels]` → `[B, H', W', outChannels]`. */
  forward(x: tf.Tensor): tf.Tensor4D {
    assertRank('Conv2d input', x.shape, 4);
    if (x.shape[3] !== this.inChannels) {
      throw new ShapeError(`Conv2d: expected NHWC input [B, H, W, ${this.inChannels}], got ${fmtShape(x.shape)}`);
    }
    const [top, bottom, left, right] = this.pads;
    const [kh, kw] = this.kernelSize;
    const [, h, w] = x.shape as number[];
    if (h + top + bottom < kh || w + left + right < kw) {
      throw new ShapeError(`Conv2d: input ${fmtShape(x.shape)} (padded ${this.pads.join('/')}) is smaller than the ${kh}x${kw} kernel`);
    }
    return tf.tidy(() => {
      const x4 = x as tf.Tensor4D;
      const kernel = this.weight.value as tf.Tensor4D;
      let y: tf.Tensor4D;
      if (this.groups === 1) {
        y = conv2dDifferentiable(x4, kernel, this.stride, this.pads);
      } else {
        const xs = tf.split(x4, this.groups, 3) as tf.Tensor4D[];
        const ws = tf.split(kernel, this.groups, 3) as tf.Tensor4D[];
        y = tf.concat(xs.map((xi, g) => conv2dDifferentiable(xi, ws[g], this.stride, this.pads)), 3);
      }
      return this.bias ? (tf.add(y, this.bias.value) as tf.Tensor4D) : y;
    });
  }
}

function resolvePadding(
  padding: Size2 | 'same' | 'valid',
  kernel: [number, number],
  stride: [number, number],
): [number, number, number, number] {
  if (padding === 'valid') return [0, 0, 0, 0];
  if (padding === 'same') {
    if (stride[0] !== 1 || stride[1] !== 1) {
      throw new ArgumentError(`Conv2d: padding 'same' needs stride 1 (as in PyTorch), got stride ${fmtShape(stride)}`);
    }
    // PyTorch: total k-1, the smaller half first.
    const [th, tw] = [kernel[0] - 1, kernel[1] - 1];
    return [Math.floor(th / 2), th - Math.floor(th / 2), Math.floor(tw / 2), tw - Math.floor(tw / 2)];
  }
  const [ph, pw] = pair(padding);
  if (!(Number.isInteger(ph) && ph >= 0 && Number.isInteger(pw) && pw >= 0)) {
    throw new ArgumentError(`Conv2d: padding must be non-negative integers, 'same' or 'valid', got ${String(padding)}`);
  }
  return [ph, ph, pw, pw];
}
