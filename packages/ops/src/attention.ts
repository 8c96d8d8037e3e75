// Scaled dot-product attention (Vaswani et al., 2017): softmax(q kᵀ · scale) v on [B, heads, N, headDim].
import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError, ShapeError, fmtShape } from './errors';
import { matMul } from './matmul';

/** Options of {@link scaledDotProductAttention}. */
export interface AttentionOptions {
  /** Multiplies q kᵀ; defaults to headDim^-0.5. */
  scale?: number;
  /** Dropout rate on the attention weights, applied only when `training` is true (timm's attn_drop). */
  dropout?: number;
  /** Whether dropout is active. Default false. */
  training?: boolean;
  /** Seed of the dropout mask, for reproducible runs. */
  seed?: number;
}

/** Output and the (post-softmax, post-dropout) attention weights `[B, heads, Nq, Nk]`. */
export interface AttentionResult {
  output: tf.Tensor;
  weights: tf.Tensor;
}

/**
 * `a[i] · b[i]` for every i of `[n, r, k]` x `[n, k, c]`. On wasm, n plain 2-D matMuls beat one
 * batched matMul only for a few large slices: measured here, n=12 (ViT-B, batch 1) of 197x197x64
 * ran 4x faster split, but a training batch of small slices (n=512 of 17x17x16) ran 136x slower
 * split, and n=96 of 65x65x32 12x slower. So split only few, large slices; elsewhere the batched
 * kernel is as fast or faster (cpu) or far better (webgpu).
 */
function batchedMatMul(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const [n, r, k] = a.shape as number[];
  const c = b.shape[2] as number;
  const fewLargeSlices = n > 1 && n <= 16 && r * k * c >= 1 << 20;
  if (tf.getBackend() !== 'wasm' || !fewLargeSlices) return matMul(a, b);
  const bs = tf.unstack(b);
  return tf.stack(tf.unstack(a).map((ai, i) => matMul(ai, bs[i])));
}

function check(q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, opts: AttentionOptions): void {
  for (const [name, t] of [['q', q], ['k', k], ['v', v]] as const) {
    if (t.rank !== 4) {
      throw new ShapeError(`scaledDotProductAttention: ${name} expected rank 4 [B, heads, N, headDim], got ${fmtShape(t.shape)}`);
    }
  }
  const [B, H, , D] = q.shape as number[];
  if (k.shape[0] !== B || k.shape[1] !== H || k.shape[3] !== D) {
    throw new ShapeError(`scaledDotProductAttention: k expected [${B}, ${H}, Nk, ${D}] to match q ${fmtShape(q.shape)}, got ${fmtShape(k.shape)}`);
  }
  if (v.shape[0] !== B || v.shape[1] !== H || v.shape[2] !== k.shape[2]) {
    throw new ShapeError(`scaledDotProductAttention: v expected [${B}, ${H}, ${k.shape[2]}, Dv] to match k ${fmtShape(k.shape)}, got ${fmtShape(v.shape)}`);
  }
  const p = opts.dropout ?? 0;
  if (!(p >= 0 && p < 1)) throw new ArgumentError(`scaledDotProductAttention: dropout must be in [0, 1), got ${p}`);
}

/**
 * Attention with its weights: `weights = dropout(softmax(q kᵀ · scale))`, `output = weights v`.
 * q `[B, heads, Nq, headDim]`, k `[B, heads, Nk, headDim]`, v `[B, heads, Nk, Dv]` → output `[B, heads, Nq, Dv]`.
 * The scale multiplies q before the product, as timm's `Attention` does.
 *
 * @example
 * ```ts
 * const { output, weights } = scaledDotProductAttentionWithWeights(q, k, v); // weights [B, h, N, N]
 * ```
 */
export function scaledDotProductAttentionWithWeights(
  q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, opts: AttentionOptions = {},
): AttentionResult {
  check(q, k, v, opts);
  const [B, H, Nq, D] = q.shape as number[];
  const Nk = k.shape[2] as number;
  const Dv = v.shape[3] as number;
  const scale = opts.scale ?? D ** -0.5;
  const [output, weights] = tf.tidy(() => {
    const q3 = tf.reshape(tf.mul(q, scale), [B * H, Nq, D]);
    const k3 = tf.reshape(k, [B * H, Nk, D]);
    const v3 = tf.reshape(v, [B * H, Nk, Dv]);
    let attn = tf.softmax(batchedMatMul(q3, tf.transpose(k3, [0, 2, 1])));
    const p = opts.dropout ?? 0;
    if (opts.training && p > 0) attn = tf.dropout(attn, p, undefined, opts.seed);
    const out = batchedMatMul(attn, v3);
    return [tf.reshape(out, [B, H, Nq, Dv]), tf.reshape(attn, [B, H, Nq, Nk])];
  });
  return { output, weights };
}

/**
 * Scaled dot-product attention, `softmax(q kᵀ · scale) v`, with optional dropout on the weights.
 * q `[B, heads, Nq, headDim]`, k `[B, heads, Nk, headDim]`, v `[B, heads, Nk, Dv]` → `[B, heads, Nq, Dv]`.
 *
 * @example
 * ```ts
 * const out = scaledDotProductAttention(q, k, v, { dropout: 0.1, training: true });
 * ```
 */
export function scaledDotProductAttention(q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, opts: AttentionOptions = {}): tf.Tensor {
  return tf.tidy(() => scaledDotProductAttentionWithWeights(q, k, v, opts).output);
}
