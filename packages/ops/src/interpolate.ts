// 2-D resizing that matches torch.nn.functional.interpolate (nearest / bilinear / bicubic, antialias),
// as two plain 2-D matMuls with weights built like ATen's (the fastest kernel on wasm, and exact).
import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError, ShapeError, fmtShape } from './errors';
import { type ResampleMode, resampleMatrix, transposeMatrix } from './interpolate_weights';

/** Options of {@link interpolate}. */
export interface InterpolateOptions {
  /** Default 'nearest', as PyTorch's `F.interpolate`. */
  mode?: ResampleMode;
  /** PyTorch's `align_corners` (bilinear / bicubic only). Default false. */
  alignCorners?: boolean;
  /** PyTorch's `antialias` (bilinear / bicubic only). Default false. */
  antialias?: boolean;
  /** Layout of `x`: 'NHWC' (default, tfjs' convention) or 'NCHW' (PyTorch's). The output keeps it. */
  dataFormat?: 'NHWC' | 'NCHW';
}

function checkSize(size: [number, number]): void {
  if (!(Array.isArray(size) && size.length === 2 && size.every((s) => Number.isInteger(s) && s > 0))) {
    throw new ArgumentError(`interpolate: size must be [height, width] of positive integers, got ${JSON.stringify(size)}`);
  }
}

/**
 * Resizes a 4-D image batch to `size = [height, width]` exactly as
 * `torch.nn.functional.interpolate(x, size, mode, align_corners, antialias)` (float32, max abs
 * diff ~1e-6 against PyTorch 1.13): bicubic uses a = -0.75 with PyTorch's border clamping;
 * `antialias: true` uses PyTorch's Pillow-style filters (bicubic a = -0.5, support widened when
 * downsampling, renormalised at the borders), which changes the result even when upsampling.
 * Differentiable (the resize is `Wh · x · Wwᵀ`).
 *
 * @example
 * ```ts
 * // timm's resample_abs_pos_embed: a [1, 14, 14, 768] grid to [1, 24, 24, 768]
 * const grid24 = interpolate(grid14, [24, 24], { mode: 'bicubic', antialias: true });
 * ```
 */
export function interpolate(x: tf.Tensor, size: [number, number], opts: InterpolateOptions = {}): tf.Tensor {
  const { mode = 'nearest', alignCorners = false, antialias = false, dataFormat = 'NHWC' } = opts;
  if (x.rank !== 4) {
    throw new ShapeError(`interpolate: x expected rank 4 (${dataFormat === 'NHWC' ? '[B, H, W, C]' : '[B, C, H, W]'}), got ${fmtShape(x.shape)}`);
  }
  checkSize(size);
  if (!['nearest', 'bilinear', 'bicubic'].includes(mode)) throw new ArgumentError(`interpolate: unknown mode '${mode}'`);
  if (mode === 'nearest' && (antialias || alignCorners)) {
    throw new ArgumentError("interpolate: antialias and alignCorners apply to 'bilinear' and 'bicubic' only (as in PyTorch)");
  }
  if (dataFormat !== 'NHWC' && dataFormat !== 'NCHW') throw new ArgumentError(`interpolate: unknown dataFormat '${dataFormat}'`);
  const [outH, outW] = size;
  return tf.tidy(() => {
    const xf = x.dtype === 'float32' ? x : tf.cast(x, 'float32');
    const nchw = dataFormat === 'NCHW' ? xf : tf.transpose(xf, [0, 3, 1, 2]);
    const [B, C, H, W] = nchw.shape as number[];
    // Width pass: [B·C·H, W] · Wwᵀ[W, outW]
    const wwT = tf.tensor2d(transposeMatrix(resampleMatrix(W, outW, mode, alignCorners, antialias), outW, W), [W, outW]);
    let y = tf.matMul(tf.reshape(nchw, [B * C * H, W]), wwT);
    // Height pass on the transposed plane: [B·C·outW, H] · Whᵀ[H, outH]
    y = tf.transpose(tf.reshape(y, [B * C, H, outW]), [0, 2, 1]);
    const whT = tf.tensor2d(transposeMatrix(resampleMatrix(H, outH, mode, alignCorners, antialias), outH, H), [H, outH]);
    y = tf.reshape(tf.matMul(tf.reshape(y, [B * C * outW, H]), whT), [B, C, outW, outH]);
    return dataFormat === 'NCHW' ? tf.transpose(y, [0, 1, 3, 2]) : tf.transpose(y, [0, 3, 2, 1]);
  });
}

/**
 * Bicubic {@link interpolate} (a = -0.75, or Pillow's a = -0.5 with `antialias`), as PyTorch's
 * `F.interpolate(x, size, mode='bicubic')`.
 *
 * @example
 * ```ts
 * const y = interpolateBicubic(x, [10, 14], { antialias: true }); // NHWC [B, 10, 14, C]
 * ```
 */
export function interpolateBicubic(x: tf.Tensor, size: [number, number], opts: Omit<InterpolateOptions, 'mode'> = {}): tf.Tensor {
  return interpolate(x, size, { ...opts, mode: 'bicubic' });
}

/**
 * Bilinear {@link interpolate}, as PyTorch's `F.interpolate(x, size, mode='bilinear')`.
 *
 * @example
 * ```ts
 * const y = interpolateBilinear(x, [7, 7], { dataFormat: 'NCHW' }); // [B, C, 7, 7]
 * ```
 */
export function interpolateBilinear(x: tf.Tensor, size: [number, number], opts: Omit<InterpolateOptions, 'mode'> = {}): tf.Tensor {
  return interpolate(x, size, { ...opts, mode: 'bilinear' });
}
