// conv2d whose gradient also works on backends without a Conv2DBackpropFilter kernel (tfjs-backend
// -wasm 4.22 has none): the filter gradient comes from Conv3DBackpropFilterV2 (stride 1) or an
// im2col matMul (strides > 1); the input gradient from conv2dTranspose (Conv2DBackpropInput).
import * as tf from '@tensorflow/tfjs-core';

/** Explicit `[top, bottom, left, right]` zero padding. */
export type Pads = readonly [number, number, number, number];

/** True if the active backend can differentiate tf.conv2d w.r.t. its filter by itself. */
export function hasConv2dFilterGrad(): boolean {
  return tf.getKernel('Conv2DBackpropFilter', tf.getBackend()) !== undefined;
}

/**
 * `tf.conv2d` (NHWC, HWIO, explicit zero padding) that is differentiable w.r.t. input and filter on
 * every backend. `forceComposite` takes the Conv3D route even where Conv2DBackpropFilter exists
 * (for tests).
 *
 * @example
 * ```ts
 * const y = conv2dDifferentiable(x, kernel, [2, 2], [1, 1, 1, 1]);
 * ```
 */
export function conv2dDifferentiable(
  x: tf.Tensor4D,
  filter: tf.Tensor4D,
  stride: readonly [number, number],
  pads: Pads,
  forceComposite = false,
): tf.Tensor4D {
  const [top, bottom, left, right] = pads;
  const padded = top || bottom || left || right;
  if (hasConv2dFilterGrad() && !forceComposite) {
    const pad: [[number, number], [number, number], [number, number], [number, number]] = [[0, 0], [top, bottom], [left, right], [0, 0]];
    return tf.conv2d(x, filter, [stride[0], stride[1]], padded ? pad : 'valid');
  }
  return tf.tidy(() => {
    const xp = padded ? tf.pad(x, [[0, 0], [top, bottom], [left, right], [0, 0]]) : x;
    return conv2dValidComposite(xp, filter, stride);
  });
}

function conv2dValidComposite(x: tf.Tensor4D, filter: tf.Tensor4D, stride: readonly [number, number]): tf.Tensor4D {
  const strides: [number, number] = [stride[0], stride[1]];
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xi, wi, save] = args as [tf.Tensor4D, tf.Tensor4D, tf.GradSaveFunc];
    save([xi, wi]);
    return {
      value: tf.conv2d(xi, wi, strides, 'valid') as tf.Tensor,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] => {
        const [xv, wv] = saved as [tf.Tensor4D, tf.Tensor4D];
        const d = dy as tf.Tensor4D;
        const dx = tf.conv2dTranspose(d, wv, xv.shape, strides, 'valid');
        return [dx, filterGrad(xv, d, wv.shape, strides)];
      },
    };
  });
  return f(x, filter) as tf.Tensor4D;
}

/**
 * d(loss)/d(filter) of a valid conv. Stride 1: the Conv3DBackpropFilterV2 kernel on a depth-1
 * volume. Strides > 1: wasm's Conv3DBackpropFilterV2 is wrong there (measured: errors as large as
 * the gradient itself), so the gradient is im2col'd instead — one strided slice per kernel offset,
 * concatenated to `[B·H'·W', kh·kw·C]` (HWIO order), then one 2-D matMul with `dy [B·H'·W', O]`.
 */
function filterGrad(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  filterShape: [number, number, number, number],
  strides: [number, number],
): tf.Tensor4D {
  const [b, , , c] = x.shape;
  const [kh, kw, , o] = filterShape;
  const [, oh, ow] = dy.shape;
  const [sh, sw] = strides;
  if (sh === 1 && sw === 1) {
    const xc = tf.slice(x, [0, 0, 0, 0], [b, oh + kh - 1, ow + kw - 1, c]);
    const dw5 = tf.engine().runKernel(
      'Conv3DBackpropFilterV2',
      { x: tf.reshape(xc, [b, 1, xc.shape[1], xc.shape[2], c]), dy: tf.reshape(dy, [b, 1, oh, ow, o]) },
      { strides: [1, 1, 1], pad: 'valid', filterShape: [1, kh, kw, c, o] },
    ) as tf.Tensor;
    return tf.reshape(dw5, filterShape);
  }
  const cols: tf.Tensor[] = [];
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      cols.push(tf.stridedSlice(x, [0, i, j, 0], [b, i + (oh - 1) * sh + 1, j + (ow - 1) * sw + 1, c], [1, sh, sw, 1]));
    }
  }
  const patches = tf.reshape(cols.length === 1 ? cols[0] : tf.concat(cols, 3), [b * oh * ow, kh * kw * c]);
  const dw = tf.matMul(tf.transpose(patches), tf.reshape(dy, [b * oh * ow, o]));
  return tf.reshape(dw, filterShape);
}
