// Truncated normal initializer, as timm's trunc_normal_ (inverse-CDF sampling, absolute cut-offs).
import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError } from './errors';

/** Options of {@link truncNormal}. */
export interface TruncNormalOptions {
  /** Mean of the parent normal. Default 0. */
  mean?: number;
  /** Std of the parent normal. Default 0.02, what timm's ViT uses for pos_embed, cls_token and Linear weights. */
  std?: number;
  /** Lower cut-off, ABSOLUTE (not in std units), as timm. Default -2. */
  a?: number;
  /** Upper cut-off, ABSOLUTE. Default 2. */
  b?: number;
  /** Seed for reproducible draws; without it Math.random is used. */
  seed?: number;
}

/** mulberry32: a small seeded 32-bit generator; returns uniforms in (0, 1). */
function mulberry32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
}

/** Complementary error function with relative error < 1.2e-7 everywhere (Numerical Recipes' erfcc). */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 +
    t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 +
    t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? r : 2 - r;
}

/** Standard normal CDF. */
const normCdf = (x: number): number => 0.5 * erfc(-x / Math.SQRT2);

/** Inverse standard normal CDF (Acklam's rational approximation, relative error 1.2e-9). */
function normPpf(p: number): number {
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const lo = 0.02425;
  if (p < lo) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  if (p > 1 - lo) return -normPpf(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

/**
 * A new float32 tensor drawn from N(mean, std²) truncated to [a, b], as timm's
 * `trunc_normal_(tensor, mean=0., std=1., a=-2., b=2.)` — but with `std` defaulting to 0.02, timm
 * ViT's value. As in timm, `a` and `b` are absolute values, so with std 0.02 the ±2 cut-off is
 * ~100 std away and the draw is effectively an untruncated normal (timm behaves the same).
 * Sampling is by inverse CDF in float64 on the CPU (exact truncation for any window), clamped to
 * [a, b] and rounded to float32 (as PyTorch clamps in the tensor's dtype).
 *
 * @example
 * ```ts
 * const posEmbed = truncNormal([1, 197, 768], { std: 0.02, seed: 0 });
 * ```
 */
export function truncNormal(shape: number[], opts: TruncNormalOptions = {}): tf.Tensor {
  const { mean = 0, std = 0.02, a = -2, b = 2 } = opts;
  if (!(std > 0)) throw new ArgumentError(`truncNormal: std must be > 0, got ${std}`);
  if (!(a < b)) throw new ArgumentError(`truncNormal: expected a < b, got a=${a}, b=${b}`);
  const size = shape.reduce((p, s) => p * s, 1);
  const rand = opts.seed === undefined ? Math.random : mulberry32(opts.seed);
  // Sample in the lower tail when the window lies above the mean, where the CDF keeps its precision.
  const flip = (a - mean) / std > 0;
  const alpha = flip ? -(b - mean) / std : (a - mean) / std;
  const beta = flip ? -(a - mean) / std : (b - mean) / std;
  const lo = normCdf(alpha);
  const hi = normCdf(beta);
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    let p = lo + (hi - lo) * rand();
    p = Math.min(Math.max(p, Number.MIN_VALUE), 1 - Number.EPSILON / 2);
    let z = normPpf(p);
    if (flip) z = -z;
    out[i] = Math.min(Math.max(mean + std * z, a), b);
  }
  return tf.tensor(out, shape, 'float32');
}
