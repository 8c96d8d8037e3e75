// Scaled dot-product attention (Vaswani et al., 2017): softmax(q kᵀ · scale) v on [B, heads, N, headDim].
import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError, ShapeError, fmtShape } from './errors';
import { matMul } from './matmul';
import { installWasmKernels } from './wasm_kernels';

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
 * On wasm, a batched (3-D) matMul runs a generic loop at ~2 GFLOP/s while a 2-D one is XNNPACK's
 * kernel. With cheap slicing (installWasmKernels, turned on here) one 2-D matMul per slice is
 * 3–7x faster for ViT-sized slices — [96, 197, 64]·[96, 64, 197] (B/16, batch 8) 275 → 47 ms on
 * 2 threads — and only tiny slices lose to the per-op overhead ([512, 17, 16]·[512, 16, 17]:
 * 4 → 10 ms). So attention goes per slice on wasm when one slice holds this many multiply-adds.
 */
const PER_SLICE_MIN_MACS = 1 << 14;

function perSlice(nq: number, d: number, nk: number, dv: number): boolean {
  return tf.getBackend() === 'wasm' && Math.min(nq * d * nk, nq * nk * dv) >= PER_SLICE_MIN_MACS && installWasmKernels();
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

function attend(q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, opts: AttentionOptions, keepWeights: boolean): { output: tf.Tensor; weights?: tf.Tensor } {
  check(q, k, v, opts);
  const [B, H, Nq, D] = q.shape as number[];
  const Nk = k.shape[2] as number;
  const Dv = v.shape[3] as number;
  const scale = opts.scale ?? D ** -0.5;
  const p = opts.dropout ?? 0;
  const dropout = opts.training === true && p > 0;
  const [output, weights] = tf.tidy(() => {
    const q3 = tf.reshape(tf.mul(q, scale), [B * H, Nq, D]);
    const kT = tf.transpose(tf.reshape(k, [B * H, Nk, D]), [0, 2, 1]);
    const v3 = tf.reshape(v, [B * H, Nk, Dv]);
    let out: tf.Tensor;
    let attn: tf.Tensor | undefined;
    if (perSlice(Nq, D, Nk, Dv)) {
      // softmax per slice too, unless dropout needs the whole tensor (one seeded mask, as batched).
      const ks = tf.unstack(kT);
      const vs = tf.unstack(v3);
      let ps = tf.unstack(q3).map((qi, i) => tf.softmax(matMul(qi, ks[i])));
      if (dropout) ps = tf.unstack(tf.dropout(tf.stack(ps), p, undefined, opts.seed));
      out = tf.stack(ps.map((pi, i) => matMul(pi, vs[i])));
      if (keepWeights) attn = tf.stack(ps);
    } else {
      attn = tf.softmax(matMul(q3, kT));
      if (dropout) attn = tf.dropout(attn, p, undefined, opts.seed);
      out = matMul(attn, v3);
    }
    return [tf.reshape(out, [B, H, Nq, Dv]), ...(keepWeights && attn ? [tf.reshape(attn, [B, H, Nq, Nk])] : [])];
  });
  return { output, weights };
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
  const { output, weights } = attend(q, k, v, opts, true);
  return { output, weights: weights! };
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
  return attend(q, k, v, opts, false).output;
}
