// Differentiable matMul whose gradient avoids wasm's slow transposed-matMul kernels.
import * as tf from '@tensorflow/tfjs-core';
import { ShapeError, fmtShape } from './errors';

/**
 * On wasm, matMul with `transposeA` or `transposeB` runs at ~3 GFLOP/s while a plain matMul of the
 * explicitly transposed operand runs at 17–41 GFLOP/s (measured here on Linear-gradient shapes from
 * [2176, 64]·[64, 64] to [25216, 384]·[384, 1536]: 5–14x faster including the transpose).
 * tfjs' own MatMul gradient uses the transposed kernels, so the gradient here transposes first.
 */
function transposedProduct(x: tf.Tensor, y: tf.Tensor, transposeX: boolean, transposeY: boolean): tf.Tensor {
  if (tf.getBackend() !== 'wasm') return tf.matMul(x, y, transposeX, transposeY);
  const swap = (t: tf.Tensor) => tf.transpose(t, t.rank === 2 ? [1, 0] : [0, 2, 1]);
  return tf.matMul(transposeX ? swap(x) : x, transposeY ? swap(y) : y);
}

const product = tf.customGrad(((a: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
  save([a, b]);
  return {
    value: tf.matMul(a, b),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sa, sb] = saved;
      return [transposedProduct(dy, sb, false, true), transposedProduct(sa, dy, true, false)];
    },
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as (a: tf.Tensor, b: tf.Tensor) => tf.Tensor;

/**
 * `a · b` for 2-D `[m, k]·[k, n]` or batched 3-D `[B, m, k]·[B, k, n]` operands, with a gradient
 * that uses only plain (untransposed) matMuls on wasm — the layout the fastest kernel wants.
 * Same values as `tf.matMul(a, b)`.
 *
 * @example
 * ```ts
 * const y = matMul(tf.ones([4, 3]), tf.ones([3, 2])); // [4, 2], every value 3
 * ```
 */
export function matMul(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const ok =
    (a.rank === 2 && b.rank === 2 && a.shape[1] === b.shape[0]) ||
    (a.rank === 3 && b.rank === 3 && a.shape[0] === b.shape[0] && a.shape[2] === b.shape[1]);
  if (!ok) throw new ShapeError(`matMul: expected [m, k]·[k, n] or [B, m, k]·[B, k, n], got ${fmtShape(a.shape)}·${fmtShape(b.shape)}`);
  return product(a, b);
}

const affine = tf.customGrad(((x: tf.Tensor, w: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
  save([x, w]);
  return {
    value: tf.add(tf.matMul(x, w), b),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sx, sw] = saved;
      return [transposedProduct(dy, sw, false, true), transposedProduct(sx, dy, true, false), tf.sum(dy, 0)];
    },
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.Tensor;

/**
 * `x · w + b` for `x [m, k]`, `w [k, n]` and an optional `b [n]` — a fully connected layer in the
 * layout the fastest kernel wants. Same values as `tf.add(tf.matMul(x, w), b)`; the gradient keeps
 * only x and w (autodiff of the sum would also keep the product, for the bias' broadcast) and uses
 * plain matMuls on wasm, as {@link matMul}.
 *
 * @example
 * ```ts
 * const y = linear(tf.ones([4, 3]), tf.ones([3, 2]), tf.tensor1d([1, -1])); // [[4, 2], …]
 * ```
 */
export function linear(x: tf.Tensor, w: tf.Tensor, b?: tf.Tensor): tf.Tensor {
  if (!(x.rank === 2 && w.rank === 2 && x.shape[1] === w.shape[0])) throw new ShapeError(`linear: expected x [m, k] and w [k, n], got ${fmtShape(x.shape)}·${fmtShape(w.shape)}`);
  if (!b) return product(x, w);
  if (!(b.rank === 1 && b.shape[0] === w.shape[1])) throw new ShapeError(`linear: expected bias [${w.shape[1]}], got ${fmtShape(b.shape)}`);
  return affine(x, w, b);
}
