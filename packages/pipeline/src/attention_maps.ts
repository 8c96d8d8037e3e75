// Where a ViT looks: attention rollout (Abnar & Zuidema, "Quantifying Attention Flow in
// Transformers", 2020) and the last block's class-token attention, as maps over the patch grid.
import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError } from '@tfjs-vit/ops';

/** 'rollout': attention multiplied through the blocks with the residual; 'last': the last block only. */
export type AttentionMethod = 'rollout' | 'last';

/** Options of {@link attentionMaps}. */
export interface AttentionMapOptions {
  method?: AttentionMethod;
  /** How heads are combined (default 'mean'). */
  headFusion?: 'mean' | 'max';
  /** Rollout: drop this fraction of the weakest attention weights per row before mixing (default 0). */
  discardRatio?: number;
  /** Also return each head's map (the last block's, whatever the method). */
  perHead?: boolean;
}

/** One image's maps over the patch grid `[gh, gw]`, row-major, each scaled to a maximum of 1. */
export interface AttentionMap {
  grid: [number, number];
  map: Float32Array;
  /** Per head (with `perHead`): the last block's attention from the query token, one map per head. */
  heads?: Float32Array[];
}

function scaled(row: Float32Array | number[]): Float32Array {
  let max = 0;
  for (const v of row) if (v > max) max = v;
  return Float32Array.from(row, (v) => (max > 0 ? v / max : 0));
}

/** The query rows (and per-head rows) as tensors, and how to turn their values into maps. */
function mapTensors(
  attentions: readonly tf.Tensor[],
  numPrefixTokens: number,
  grid: [number, number],
  options: AttentionMapOptions,
): { rows: tf.Tensor; headRows: tf.Tensor | null; read(flat: Float32Array, heads: Float32Array | null): AttentionMap[] } {
  if (!attentions.length) throw new ArgumentError('attentionMaps: no attention weights (a model with no blocks?)');
  const [B, , N] = attentions[0].shape;
  const patches = grid[0] * grid[1];
  if (N !== numPrefixTokens + patches) {
    throw new ArgumentError(`attentionMaps: ${N} tokens, expected ${numPrefixTokens} prefix + ${grid[0]}x${grid[1]} patches`);
  }
  const discard = options.discardRatio ?? 0;
  if (!(discard >= 0 && discard < 1)) throw new ArgumentError(`attentionMaps: discardRatio must be in [0, 1), got ${discard}`);
  const fuse = (a: tf.Tensor) => (options.headFusion === 'max' ? tf.max(a, 1) : tf.mean(a, 1)); // [B, N, N]
  // the query row: the class token's, or the mean of the patch rows without one
  const queryRow = (m: tf.Tensor): tf.Tensor => {
    const rows = numPrefixTokens > 0 ? tf.slice(m, [0, 0, 0], [-1, 1, -1]) : tf.mean(m, 1, true);
    return tf.reshape(tf.slice(rows, [0, 0, numPrefixTokens], [-1, 1, patches]), [B, patches]);
  };
  const rows = tf.tidy(() => {
    if ((options.method ?? 'rollout') === 'last') return queryRow(fuse(attentions[attentions.length - 1]));
    const eye = tf.eye(N);
    let result: tf.Tensor = tf.broadcastTo(eye, [B, N, N]);
    for (const a of attentions) {
      let f = fuse(a);
      if (discard > 0) {
        const k = Math.max(1, Math.round(N * (1 - discard)));
        const kth = tf.min(tf.topk(f, k).values, -1, true); // keep the k largest per row
        f = tf.where(tf.greaterEqual(f, kth), f, tf.zerosLike(f));
      }
      let mixed = tf.div(tf.add(f, eye), 2);
      mixed = tf.div(mixed, tf.sum(mixed, -1, true));
      result = tf.matMul(mixed, result);
    }
    return queryRow(result);
  });
  const headRows = options.perHead
    ? tf.tidy(() => {
        const last = attentions[attentions.length - 1]; // [B, H, N, N]
        const [, H] = last.shape;
        const q = numPrefixTokens > 0 ? tf.slice(last, [0, 0, 0, numPrefixTokens], [-1, -1, 1, patches]) : tf.mean(tf.slice(last, [0, 0, 0, numPrefixTokens], [-1, -1, -1, patches]), 2, true);
        return tf.reshape(q, [B, H, patches]);
      })
    : null;
  const H = headRows ? headRows.shape[1]! : 0;
  const read = (flat: Float32Array, heads: Float32Array | null): AttentionMap[] =>
    Array.from({ length: B }, (_, b) => ({
      grid,
      map: scaled(flat.subarray(b * patches, (b + 1) * patches)),
      ...(heads ? { heads: Array.from({ length: H }, (_, h) => scaled(heads.subarray((b * H + h) * patches, (b * H + h + 1) * patches))) } : {}),
    }));
  return { rows, headRows, read };
}

/**
 * Attention maps from the per-block attention weights `[B, heads, N, N]` of
 * `VisionTransformer.forwardWithAttention`. The query is the class token (its row), or, for a
 * model without one, the mean over the patch tokens' rows; columns of the prefix tokens are left
 * out. Rollout fuses heads, adds the identity for the residual and renormalises
 * (`Â = (A + I) / 2`), multiplies `Â_L · … · Â_1` and reads the query row.
 *
 * @example
 * ```ts
 * const { attentions } = vit.forwardWithAttention(x);
 * const [{ map, grid }] = attentionMaps(attentions, vit.numPrefixTokens, [14, 14], { method: 'rollout' });
 * tf.dispose(attentions);
 * ```
 */
export function attentionMaps(
  attentions: readonly tf.Tensor[],
  numPrefixTokens: number,
  grid: [number, number],
  options: AttentionMapOptions = {},
): AttentionMap[] {
  const { rows, headRows, read } = mapTensors(attentions, numPrefixTokens, grid, options);
  try {
    return read(rows.dataSync() as Float32Array, headRows ? (headRows.dataSync() as Float32Array) : null);
  } finally {
    tf.dispose([rows, headRows ?? []].flat());
  }
}

/**
 * {@link attentionMaps}, reading the maps back asynchronously: what WebGPU needs (its synchronous
 * read-back is slow, and fails in a Web Worker) and what keeps a page responsive.
 *
 * @example
 * ```ts
 * const [{ map, grid }] = await attentionMapsAsync(attentions, vit.numPrefixTokens, [14, 14]);
 * ```
 */
export async function attentionMapsAsync(
  attentions: readonly tf.Tensor[],
  numPrefixTokens: number,
  grid: [number, number],
  options: AttentionMapOptions = {},
): Promise<AttentionMap[]> {
  const { rows, headRows, read } = mapTensors(attentions, numPrefixTokens, grid, options);
  try {
    return read((await rows.data()) as Float32Array, headRows ? ((await headRows.data()) as Float32Array) : null);
  } finally {
    tf.dispose([rows, headRows ?? []].flat());
  }
}
