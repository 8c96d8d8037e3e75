// MaxPool2d with PyTorch's semantics on NHWC feature maps: padding counts as -inf (it is never
// the maximum), output size floor((H + 2p − k) / s) + 1. A CNN stem's pooling (timm's ResNet stem
// uses MaxPool2d(3, stride 2, padding 1)).
import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError, fmtShape, ShapeError } from '@tfjs-vit/ops';
import { pair, type Size2 } from './conv2d';
import { Module } from './module';

/** Options of {@link MaxPool2d}. */
export interface MaxPool2dOptions {
  /** Default: the kernel size (PyTorch's `stride=None`). */
  stride?: Size2;
  /** Zero or more pixels each side, at most half the kernel (as PyTorch requires). Default 0. */
  padding?: Size2;
}

/**
 * `torch.nn.MaxPool2d(kernelSize, stride, padding)` on `[B, H, W, C]` input; no parameters.
 *
 * @example
 * ```ts
 * const pool = new MaxPool2d(3, { stride: 2, padding: 1 });
 * pool.forward(tf.zeros([1, 112, 112, 64])).shape; // [1, 56, 56, 64]
 * ```
 */
export class MaxPool2d extends Module {
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly padding: [number, number];

  constructor(kernelSize: Size2, options: MaxPool2dOptions = {}) {
    super();
    this.kernelSize = pair(kernelSize);
    this.stride = pair(options.stride ?? kernelSize);
    this.padding = pair(options.padding ?? 0);
    const ints = [...this.kernelSize, ...this.stride];
    if (!ints.every((v) => Number.isInteger(v) && v > 0)) throw new ArgumentError(`MaxPool2d: kernel size and stride must be positive integers, got ${this.kernelSize} / ${this.stride}`);
    this.padding.forEach((p, i) => {
      if (!(Number.isInteger(p) && p >= 0 && p <= this.kernelSize[i] / 2)) {
        throw new ArgumentError(`MaxPool2d: padding must be an integer in [0, kernel/2], got ${p} for kernel ${this.kernelSize[i]}`);
      }
    });
  }

  /** Output `[h, w]` for an input of `h × w` (floor, as PyTorch without ceil_mode). */
  outputSize(h: number, w: number): [number, number] {
    const o = (n: number, i: number) => Math.floor((n + 2 * this.padding[i] - this.kernelSize[i]) / this.stride[i]) + 1;
    return [o(h, 0), o(w, 1)];
  }

  forward(x: tf.Tensor): tf.Tensor4D {
    if (x.rank !== 4) throw new ShapeError(`MaxPool2d: expected [B, H, W, C], got ${fmtShape(x.shape)}`);
    const [oh, ow] = this.outputSize(x.shape[1]!, x.shape[2]!);
    if (oh < 1 || ow < 1) throw new ShapeError(`MaxPool2d: input ${fmtShape(x.shape)} is smaller than the ${this.kernelSize.join('x')} window`);
    const [ph, pw] = this.padding;
    const k = this.kernelSize;
    const st = this.stride;
    return tf.tidy(() => {
      // PyTorch pads with -inf; a value below every input is the same (it never wins) and keeps
      // the shifted copy below finite
      const low = tf.sub(tf.min(x), 1);
      const p = ph || pw ? tf.add(tf.pad(tf.sub(x, low) as tf.Tensor4D, [[0, 0], [ph, ph], [pw, pw], [0, 0]]), low) : (x as tf.Tensor4D);
      const pool = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
        const input = args[0] as tf.Tensor4D;
        (args[1] as tf.GradSaveFunc)([input]);
        return {
          value: tf.maxPool(input, k, st, 'valid'),
          // tfjs-wasm 4.22's MaxPoolGrad starts each window's max at 0, so windows of negative
          // values send the gradient to the wrong element: run the kernel on a copy shifted above
          // 0 (the same argmax in every window)
          gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
            const positive = tf.add(tf.sub(saved[0], tf.min(saved[0])), 1) as tf.Tensor4D;
            const output = tf.maxPool(positive, k, st, 'valid');
            const attrs = { filterSize: k, strides: st, pad: 'valid' };
            return tf.engine().runKernel('MaxPoolGrad', { dy: dy as tf.Tensor, input: positive, output }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
          },
        };
      });
      return pool(p) as tf.Tensor4D;
    });
  }
}
