// NaN and ±Inf in weights: formats without checksums (legacy .pth, safetensors, tfjs shards of old
// exports) cannot tell a corrupt value from a real one, so the loaders refuse non-finite weights
// unless the caller says they are expected (`allowNonFinite: true`).
import * as tf from '@tensorflow/tfjs-core';
import { CheckpointError } from './errors';

/**
 * A weight holds NaN or ±Inf (code `CHECKPOINT_NON_FINITE`): `key` is the first such weight, in
 * load order, and `count` how many of its values are not finite.
 *
 * @example
 * ```ts
 * try { await loadTimmCheckpoint(vit, 'ckpt.safetensors'); } catch (e) {
 *   if (e instanceof NonFiniteWeightError) console.log(e.key, e.count);
 * }
 * ```
 */
export class NonFiniteWeightError extends CheckpointError {
  readonly key: string;
  readonly count: number;
  constructor(key: string, count: number, total: number) {
    super('CHECKPOINT_NON_FINITE', `${key}: ${count} of its ${total} values are NaN or infinite (a corrupt file?); pass allowNonFinite: true to load it anyway`);
    this.key = key;
    this.count = count;
  }
}

/** How many of `values` are NaN or ±Inf. */
export function countNonFinite(values: ArrayLike<number>): number {
  let n = 0;
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i] as number)) n++;
  return n;
}

/** How many of a tensor's values are NaN or ±Inf (0 for int and bool tensors), on its backend. */
export function tensorNonFinite(t: tf.Tensor): number {
  if (t.dtype !== 'float32') return 0;
  const n = tf.tidy(() => tf.sum(tf.cast(tf.logicalNot(tf.isFinite(t)), 'int32')));
  const count = n.dataSync()[0] as number;
  n.dispose();
  return count;
}

/** Throws NonFiniteWeightError when `t` holds NaN or ±Inf, unless `allow`. */
export function assertFiniteWeight(key: string, t: tf.Tensor, allow = false): void {
  if (allow) return;
  const n = tensorNonFinite(t);
  if (n > 0) throw new NonFiniteWeightError(key, n, t.size);
}
