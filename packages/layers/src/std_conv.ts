// Weight-standardised convolution (Qiao et al., "Micro-Batch Training with Batch-Channel
// Normalization and Weight Standardization", 2019; timm's layers/std_conv.py), used by BiT and the
// ViT-hybrid ResNetV2: each output channel's kernel is normalised to zero mean, unit variance.
import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError, assertRank, fmtShape, ShapeError } from '@tfjs-vit/ops';
import { Conv2d, pair, type Conv2dOptions, type Size2 } from './conv2d';
import { conv2dDifferentiable, type Pads } from './conv2d_grad';
import { sameOutputSize, samePads } from './same_padding';

/**
 * Standardises an HWIO kernel per output channel: `(w − mean) / sqrt(var + eps)` over
 * `[kh, kw, in]`, biased variance (timm's `F.batch_norm(weight.reshape(1, out, -1), training=True)`).
 *
 * @example
 * ```ts
 * const ws = standardizeWeight(tf.randomNormal([3, 3, 8, 16]), 1e-8); // per-filter mean 0, var 1
 * ```
 */
export function standardizeWeight(kernel: tf.Tensor4D, eps: number): tf.Tensor4D {
  assertRank('standardizeWeight kernel', kernel.shape, 4);
  return tf.tidy(() => {
    const mean = tf.mean(kernel, [0, 1, 2], true);
    const centered = tf.sub(kernel, mean);
    const variance = tf.mean(tf.square(centered), [0, 1, 2], true);
    return tf.mul(centered, tf.rsqrt(tf.add(variance, eps))) as tf.Tensor4D;
  });
}

/** Options of {@link StdConv2d} and {@link StdConv2dSame}. */
export interface StdConv2dOptions extends Omit<Conv2dOptions, 'padding'> {
  /**
   * StdConv2d: symmetric zero padding (default timm's `get_padding`: `((stride − 1) + (k − 1)) / 2`,
   * floored). Not an option of StdConv2dSame, which always pads TF-"SAME".
   */
  padding?: Size2;
  /** Added to the kernel variance (default 1e-6, timm's; the ViT hybrids use 1e-8). */
  eps?: number;
}

/**
 * timm's `StdConv2d`: a Conv2d whose kernel is standardised per output channel on every forward.
 * Same state-dict keys as Conv2d (`weight` OIHW, `bias` if any); no bias by default, as timm.
 *
 * @example
 * ```ts
 * const conv = new StdConv2d(64, 64, 3, { stride: 2, eps: 1e-8 }); // padding 1
 * conv.forward(tf.zeros([1, 56, 56, 64])).shape;                // [1, 28, 28, 64]
 * ```
 */
export class StdConv2d extends Conv2d {
  readonly eps: number;
  /** For error messages. */
  protected get label(): string {
    return 'StdConv2d';
  }

  constructor(inChannels: number, outChannels: number, kernelSize: Size2, options: StdConv2dOptions = {}) {
    const k = pair(kernelSize);
    const s = pair(options.stride ?? 1);
    if (![...k, ...s].every((v) => Number.isInteger(v) && v > 0)) {
      throw new ArgumentError(`StdConv2d: kernel size and stride must be positive integers, got ${k.join('x')} / ${s.join('x')}`);
    }
    const padding = options.padding ?? ([Math.floor((s[0] - 1 + k[0] - 1) / 2), Math.floor((s[1] - 1 + k[1] - 1) / 2)] as const);
    super(inChannels, outChannels, kernelSize, { ...options, padding, bias: options.bias ?? false });
    const eps = options.eps ?? 1e-6;
    if (!(eps > 0)) throw new ArgumentError(`StdConv2d: eps must be > 0, got ${eps}`);
    this.eps = eps;
  }

  /** `x [B, H, W, inChannels]` → `[B, H', W', outChannels]`. */
  override forward(x: tf.Tensor): tf.Tensor4D {
    return this.convolve(x, this.padsFor(x));
  }

  /** The `[top, bottom, left, right]` zero padding for input `x`. */
  protected padsFor(_x: tf.Tensor): Pads {
    return this.pads;
  }

  protected convolve(x: tf.Tensor, pads: Pads): tf.Tensor4D {
    assertRank(`${this.label} input`, x.shape, 4);
    if (x.shape[3] !== this.inChannels) {
      throw new ShapeError(`${this.label}: expected NHWC input [B, H, W, ${this.inChannels}], got ${fmtShape(x.shape)}`);
    }
    const [top, bottom, left, right] = pads;
    const [kh, kw] = this.kernelSize;
    if (x.shape[1]! + top + bottom < kh || x.shape[2]! + left + right < kw) {
      throw new ShapeError(`${this.label}: input ${fmtShape(x.shape)} (padded ${pads.join('/')}) is smaller than the ${kh}x${kw} kernel`);
    }
    return tf.tidy(() => {
      const x4 = x as tf.Tensor4D;
      const kernel = standardizeWeight(this.weight.value as tf.Tensor4D, this.eps);
      let y: tf.Tensor4D;
      if (this.groups === 1) {
        y = conv2dDifferentiable(x4, kernel, this.stride, pads);
      } else {
        const xs = tf.split(x4, this.groups, 3) as tf.Tensor4D[];
        const ws = tf.split(kernel, this.groups, 3) as tf.Tensor4D[];
        y = tf.concat(xs.map((xi, g) => conv2dDifferentiable(xi, ws[g], this.stride, pads)), 3);
      }
      return this.bias ? (tf.add(y, this.bias.value) as tf.Tensor4D) : y;
    });
  }
}

/**
 * timm's `StdConv2dSame`: a {@link StdConv2d} with TensorFlow "SAME" padding computed from each
 * input's size (asymmetric when the total is odd: the extra pixel at the bottom/right), so the
 * output is `ceil(H / stride)`. What the ViT-hybrid ResNetV2 and BiT checkpoints from JAX expect.
 * (`pads` is `[0, 0, 0, 0]`: the padding depends on the input; see `padsFor`.)
 *
 * @example
 * ```ts
 * const stem = new StdConv2dSame(3, 64, 7, { stride: 2, eps: 1e-8 });
 * stem.forward(tf.zeros([1, 224, 224, 3])).shape; // [1, 112, 112, 64] (pads 2 top/left, 3 bottom/right)
 * ```
 */
export class StdConv2dSame extends StdConv2d {
  constructor(inChannels: number, outChannels: number, kernelSize: Size2, options: Omit<StdConv2dOptions, 'padding'> = {}) {
    super(inChannels, outChannels, kernelSize, { ...options, padding: 0 });
  }

  protected override get label(): string {
    return 'StdConv2dSame';
  }

  /** Output `[h, w]` for an `h × w` input: `ceil(h / stride)`. */
  outputSize(h: number, w: number): [number, number] {
    return sameOutputSize(h, w, this.stride);
  }

  protected override padsFor(x: tf.Tensor): Pads {
    assertRank('StdConv2dSame input', x.shape, 4);
    return samePads([x.shape[1]!, x.shape[2]!], this.kernelSize, this.stride);
  }
}
