// Layer normalization (Ba, Kiros & Hinton, 2016) over the last axis, as torch.nn.functional.layer_norm.
import * as tf from '@tensorflow/tfjs-core';
import { ShapeError, fmtShape } from './errors';

/** `(x - mean) / sqrt(var + eps)` over the last axis, and the `rsqrt(var + eps)` it used. */
function normalize(x: tf.Tensor, eps: number): { xhat: tf.Tensor; rstd: tf.Tensor } {
  const mean = tf.mean(x, -1, true);
  const centered = tf.sub(x, mean);
  const variance = tf.mean(tf.square(centered), -1, true);
  const rstd = tf.rsqrt(tf.add(variance, eps));
  return { xhat: tf.mul(centered, rstd), rstd };
}

/** Sums `t [..., C]` over every axis but the last: `[C]`. */
const sumLeading = (t: tf.Tensor) => tf.sum(tf.reshape(t, [-1, t.shape[t.rank - 1]]), 0);

/**
 * Layer norm with its analytic gradient. Autodiff of the composition would keep x, its mean, the
 * centred copy, its square and x̂ on the tape (measured: ~5 activations of x's size per call);
 * this keeps x̂ and rstd only:
 * dx = rstd · (g − mean(g) − x̂ · mean(g · x̂)) with g = dy · γ; dγ = Σ dy · x̂; dβ = Σ dy.
 */
function normalizeAffine(eps: number, hasGamma: boolean, hasBeta: boolean): (...inputs: tf.Tensor[]) => tf.Tensor {
  return tf.customGrad(((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args.pop() as tf.GradSaveFunc;
    const [x, ...params] = args as tf.Tensor[];
    const gamma = hasGamma ? params[0] : undefined;
    const beta = hasBeta ? params[hasGamma ? 1 : 0] : undefined;
    const { xhat, rstd } = normalize(x, eps);
    let y = xhat;
    if (gamma) y = tf.mul(y, gamma);
    if (beta) y = tf.add(y, beta);
    save(gamma ? [xhat, rstd, gamma] : [xhat, rstd]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xh, rs, g] = saved;
        const dxhat = g ? tf.mul(dy, g) : dy;
        const dx = tf.mul(rs, tf.sub(tf.sub(dxhat, tf.mean(dxhat, -1, true)), tf.mul(xh, tf.mean(tf.mul(dxhat, xh), -1, true))));
        const grads = [dx];
        if (gamma) grads.push(sumLeading(tf.mul(dy, xh)));
        if (beta) grads.push(sumLeading(dy));
        return grads;
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]) as (...inputs: tf.Tensor[]) => tf.Tensor;
}

/**
 * Normalizes `x` over its last axis with the biased variance (as PyTorch), then applies the
 * optional affine `gamma` (scale) and `beta` (shift), each of shape `[C]`.
 * `eps` defaults to 1e-6 as timm's ViT (`partial(nn.LayerNorm, eps=1e-6)`); PyTorch's own default is 1e-5.
 * The gradient is analytic and keeps only the normalised `x` and `rsqrt(var + eps)` for the backward pass.
 *
 * @example
 * ```ts
 * const y = layerNorm(tf.randomNormal([2, 197, 768]), gamma, beta); // [2, 197, 768]
 * ```
 */
export function layerNorm(x: tf.Tensor, gamma?: tf.Tensor, beta?: tf.Tensor, eps = 1e-6): tf.Tensor {
  if (x.rank < 1) throw new ShapeError(`layerNorm: x must have rank >= 1, got ${fmtShape(x.shape)}`);
  const C = x.shape[x.rank - 1];
  for (const [name, p] of [['gamma', gamma], ['beta', beta]] as const) {
    if (p && (p.rank !== 1 || p.shape[0] !== C)) {
      throw new ShapeError(`layerNorm: ${name} expected ${fmtShape([C])}, got ${fmtShape(p.shape)}`);
    }
  }
  return tf.tidy(() => normalizeAffine(eps, gamma !== undefined, beta !== undefined)(x, ...(gamma ? [gamma] : []), ...(beta ? [beta] : [])));
}
