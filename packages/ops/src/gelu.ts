// GELU activation (Hendrycks & Gimpel, "Gaussian Error Linear Units", 2016): exact (erf) and tanh forms.
import * as tf from '@tensorflow/tfjs-core';

const SQRT1_2 = Math.SQRT1_2;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/** True when the active backend registers an `Erf` kernel (cpu, wasm and webgpu do in tfjs 4.22). */
export function hasErfKernel(backend: string = tf.getBackend()): boolean {
  return tf.getKernel('Erf', backend) !== undefined;
}

/**
 * erf by composition for backends without an Erf kernel (tfjs issue 6736): Abramowitz & Stegun
 * 7.1.26, max abs error 1.5e-7 — below float32 GELU's 1e-4 budget by three orders of magnitude.
 */
function erfComposed(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const sign = tf.sign(x);
    const ax = tf.abs(x);
    const t = tf.div(1, tf.add(1, tf.mul(0.3275911, ax)));
    // Horner form of a1 t + a2 t^2 + ... + a5 t^5
    let poly = tf.scalar(1.061405429);
    for (const a of [-1.453152027, 1.421413741, -0.284496736, 0.254829592]) {
      poly = tf.add(tf.mul(poly, t), a);
    }
    poly = tf.mul(poly, t);
    const y = tf.sub(1, tf.mul(poly, tf.exp(tf.neg(tf.square(ax)))));
    return tf.mul(sign, y);
  });
}

/** erf of `x` by the backend's Erf kernel when it has one, else by the A&S composition. */
export function erf(x: tf.Tensor): tf.Tensor {
  return hasErfKernel() ? tf.erf(x) : erfComposed(x);
}

// Exact gradient: d/dx [x Φ(x)] = Φ(x) + x φ(x), whichever way erf was computed in the forward.
const geluExact = tf.customGrad(((x: tf.Tensor, save: tf.GradSaveFunc) => {
  const xt = x;
  save([xt]);
  const cdf = tf.mul(0.5, tf.add(1, erf(tf.mul(xt, SQRT1_2))));
  return {
    value: tf.mul(xt, cdf),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [xs] = saved;
      const phi = tf.mul(INV_SQRT_2PI, tf.exp(tf.mul(-0.5, tf.square(xs))));
      const c = tf.mul(0.5, tf.add(1, erf(tf.mul(xs, SQRT1_2))));
      return [tf.mul(dy, tf.add(c, tf.mul(xs, phi)))];
    },
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as (x: tf.Tensor) => tf.Tensor;

/**
 * Exact GELU, `x · Φ(x) = 0.5 x (1 + erf(x / √2))`, as PyTorch's default `nn.GELU()`.
 * Uses the backend's Erf kernel where registered (cpu, wasm, webgpu in tfjs 4.22), else a
 * composition accurate to 1.5e-7; the gradient is analytic (`tf.customGrad`) on both paths.
 *
 * @example
 * ```ts
 * const y = gelu(tf.tensor([-1, 0, 1])); // [-0.1587, 0, 0.8413]
 * ```
 */
export function gelu(x: tf.Tensor): tf.Tensor {
  if (x.dtype !== 'float32') x = tf.cast(x, 'float32');
  return geluExact(x);
}

/**
 * GELU with the tanh approximation, as PyTorch's `nn.GELU(approximate='tanh')`:
 * `0.5 x (1 + tanh(√(2/π) (x + 0.044715 x³)))`. Differentiable by autodiff of its composition.
 *
 * @example
 * ```ts
 * const y = geluTanh(tf.tensor([-1, 0, 1])); // [-0.1588, 0, 0.8412]
 * ```
 */
export function geluTanh(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const xf = x.dtype === 'float32' ? x : tf.cast(x, 'float32');
    const inner = tf.mul(SQRT_2_OVER_PI, tf.add(xf, tf.mul(0.044715, tf.mul(xf, tf.square(xf)))));
    return tf.mul(tf.mul(0.5, xf), tf.add(1, tf.tanh(inner)));
  });
}

/** Exposed for tests: the composition used when a backend lacks Erf. */
export const _erfComposedForTest = erfComposed;
