// conv2d whose gradient also works on backends without a Conv2DBackpropFilter kernel (tfjs-backend
// -wasm 4.22 has none): the filter gradient comes from the Conv3DBackpropFilterV2 kernel on a
// depth-1 volume, which wasm does have; the input gradient by conv2dTranspose (Conv2DBackpropInput).
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
    const pad: tf.conv_util.ExplicitPadding = [[0, 0], [top, bottom], [left, right], [0, 0]];
    return tf.conv2d(x, filter, [stride[0], stride[1]], padded ? pad : 'valid');
  }
  return tf.tidy(() => {
    const xp = padded ? tf.pad(x, [[0, 0], [top, bottom], [left, right], [0, 0]]) : x;
    return conv2dValidComposite(xp, filter, stride);
  });
}

function conv2dValidComposite(x: tf.Tensor4D, filter: tf.Tensor4D, stride: readonly [number, number]): tf.Tensor4D {
  const strides: [number, number] = [stride[0], stride[1]];
  const f = tf.customGrad((xs: tf.Tensor, ws: tf.Tensor, save: tf.GradSaveFunc) => {
    const xi = xs as tf.Tensor4D;
    const wi = ws as tf.Tensor4D;
    save([xi, wi]);
    return {
      value: tf.conv2d(xi, wi, strides, 'valid'),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
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
 * d(loss)/d(filter) of a valid conv. wasm's Conv3DBackpropFilterV2 is wrong for strides > 1
 * (measured: errors of the gradient's own magnitude), so the stride is folded into `dy` instead:
 * a stride-s conv's filter gradient is the stride-1 one with `dy` dilated by s (zeros between).
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
  let d: tf.Tensor4D = dy;
  if (sh > 1 || sw > 1) {
    const spread = tf.pad(tf.reshape(dy, [b, oh, 1, ow, 1, o]), [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]]);
    d = tf.slice(tf.reshape(spread, [b, oh * sh, ow * sw, o]), [0, 0, 0, 0], [b, (oh - 1) * sh + 1, (ow - 1) * sw + 1, o]);
  }
  const xc = tf.slice(x, [0, 0, 0, 0], [b, d.shape[1] + kh - 1, d.shape[2] + kw - 1, c]);
  const dw5 = tf.engine().runKernel(
    'Conv3DBackpropFilterV2',
    { x: tf.reshape(xc, [b, 1, xc.shape[1], xc.shape[2], c]), dy: tf.reshape(d, [b, 1, d.shape[1], d.shape[2], o]) },
    { strides: [1, 1, 1], pad: 'valid', filterShape: [1, kh, kw, c, o] },
  ) as tf.Tensor;
  return tf.reshape(dw5, filterShape);
}
