// Max pooling with TensorFlow's "SAME" padding computed per input (timm's MaxPool2dSame, the
// pooling of the ViT-hybrid ResNetV2 stem): output ceil(H / stride); padding never wins.
import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError, fmtShape, ShapeError } from '@tfjs-vit/ops';
import { pair, type Size2 } from './conv2d';
import { MaxPool2d } from './max_pool';
import { Module } from './module';
import { sameOutputSize, samePads } from './same_padding';

/**
 * `timm.layers.MaxPool2dSame(kernelSize, stride)` on `[B, H, W, C]`: pads each input with
 * TF-"SAME" padding (the extra pixel bottom/right) by a value below every input, then pools.
 * No parameters. The gradient goes through {@link MaxPool2d}'s (wasm-safe) one.
 *
 * @example
 * ```ts
 * const pool = new MaxPool2dSame(3, { stride: 2 });
 * pool.forward(tf.zeros([1, 112, 112, 64])).shape; // [1, 56, 56, 64]
 * pool.outputSize(31, 32);                          // [16, 16]
 * ```
 */
export class MaxPool2dSame extends Module {
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  private readonly valid: MaxPool2d;

  constructor(kernelSize: Size2, options: { stride?: Size2 } = {}) {
    super();
    this.kernelSize = pair(kernelSize);
    this.stride = pair(options.stride ?? kernelSize);
    if (![...this.kernelSize, ...this.stride].every((v) => Number.isInteger(v) && v > 0)) {
      throw new ArgumentError(`MaxPool2dSame: kernel size and stride must be positive integers, got ${this.kernelSize} / ${this.stride}`);
    }
    this.valid = new MaxPool2d(this.kernelSize, { stride: this.stride });
  }

  /** Output `[h, w]` for an `h × w` input: `ceil(h / stride)`. */
  outputSize(h: number, w: number): [number, number] {
    return sameOutputSize(h, w, this.stride);
  }

  forward(x: tf.Tensor): tf.Tensor4D {
    if (x.rank !== 4) throw new ShapeError(`MaxPool2dSame: expected [B, H, W, C], got ${fmtShape(x.shape)}`);
    if (x.size === 0) throw new ShapeError(`MaxPool2dSame: empty input ${fmtShape(x.shape)}`);
    const [t, b, l, r] = samePads([x.shape[1]!, x.shape[2]!], this.kernelSize, this.stride);
    return tf.tidy(() => {
      if (!(t || b || l || r)) return this.valid.forward(x);
      // timm pads with -inf; any value below the input's minimum is equivalent and stays finite
      const low = tf.sub(tf.min(x), 1);
      const padded = tf.add(tf.pad(tf.sub(x, low) as tf.Tensor4D, [[0, 0], [t, b], [l, r], [0, 0]]), low) as tf.Tensor4D;
      return this.valid.forward(padded);
    });
  }
}
