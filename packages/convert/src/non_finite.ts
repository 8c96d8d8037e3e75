// NaN and ±Inf in weights: formats without checksums (legacy .pth, safetensors, tfjs shards of old
// exports) cannot tell a corrupt value from a real one, so the loaders refuse non-finite weights
// unless the caller says they are expected (`allowNonFinite: true`).
import * as tf from '@tensorflow/tfjs-core';
import { loadedDType } from './dtypes';
import { CheckpointError } from './errors';
import type { TensorEntry } from './tensor_entry';
import { type TfjsWeightGroup, weightBytes } from './tfjs_format';

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

/**
 * How many values of one tfjs manifest weight, as stored (`bytes`: its bytes in the shards), are NaN
 * or ±Inf — read from the bytes on the CPU (a GPU backend's synchronous read-back is not available
 * everywhere). float16 counts all-ones exponents; uint8/uint16 values are finite by construction
 * (`q · scale + min` with a finite scale and min); int32 and bool are always finite.
 */
export function storedNonFinite(spec: { dtype: string; quantization?: { dtype: string } }, bytes: Uint8Array): number {
  const q = spec.quantization?.dtype;
  if (q === 'float16') {
    const h = new Uint16Array(bytes.slice().buffer);
    let n = 0;
    for (const v of h) if ((v & 0x7c00) === 0x7c00) n++;
    return n;
  }
  if (q !== undefined || spec.dtype !== 'float32') return 0;
  const aligned = bytes.byteOffset % 4 === 0 ? bytes : bytes.slice();
  return countNonFinite(new Float32Array(aligned.buffer, aligned.byteOffset, aligned.byteLength >> 2));
}

/**
 * The weights of a tfjs manifest group whose stored values hold NaN or ±Inf, in manifest order,
 * read from the group's shards (in `paths` order) on the CPU; stops early if the shards run short.
 */
export function* storedNonFiniteWeights(group: TfjsWeightGroup, shards: readonly Uint8Array[]): Generator<{ key: string; count: number; total: number }> {
  let shard = 0;
  let at = 0; // offset in shards[shard]
  for (const w of group.weights) {
    const data = new Uint8Array(weightBytes(w)); // one weight's bytes, copied out of one or more shards
    for (let filled = 0; filled < data.length; ) {
      const s = shards[shard];
      if (!s) return;
      const n = Math.min(data.length - filled, s.length - at);
      data.set(s.subarray(at, at + n), filled);
      filled += n;
      at += n;
      if (at === s.length) [shard, at] = [shard + 1, 0];
    }
    const count = storedNonFinite(w, data);
    if (count) yield { key: w.name, count, total: w.shape.reduce((a, b) => a * b, 1) };
  }
}

/**
 * A checkpoint entry as a tensor, its values checked on the CPU on the way: NaN or ±Inf throws
 * NonFiniteWeightError naming `key` unless `allow`; the count is returned either way. Read errors
 * are CheckpointErrors prefixed with `key`.
 */
export function checkedTensor(entry: TensorEntry, key: string, allow: boolean): { tensor: tf.Tensor; nonFinite: number } {
  let values;
  try {
    values = entry.values();
  } catch (err) {
    if (err instanceof CheckpointError) throw new CheckpointError(err.code, `${key}: ${err.message}`, { cause: err });
    throw err;
  }
  const nonFinite = countNonFinite(values);
  if (nonFinite && !allow) throw new NonFiniteWeightError(key, nonFinite, values.length);
  return { tensor: tf.tensor(values, [...entry.shape], loadedDType(entry.dtype)), nonFinite };
}
