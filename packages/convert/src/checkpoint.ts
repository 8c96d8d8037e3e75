// What every reader returns: the format, its tensors as lazy entries under flat dotted keys, and
// the raw structure around them (for pickles), so key mapping is a thin layer on top.
import { CheckpointError } from './errors';
import { describe, PyObject } from './pickle';
import type { ByteSource } from './source';
import type { TensorEntry } from './tensor_entry';

/** Checkpoint formats the readers recognise. */
export type CheckpointFormat = 'torch-zip' | 'torch-legacy' | 'pickle' | 'safetensors' | 'npz' | 'npy';

/** Everything a checkpoint holds besides its tensors. */
export interface CheckpointMeta {
  /**
   * For pickles: the whole unpickled object (dicts as `Map`s, tensors as {@link TensorEntry}s),
   * e.g. `Map { 'model' => Map {...}, 'optimizer' => Map {...}, 'epoch' => 3 }`.
   */
  object?: unknown;
  /** For safetensors: the `__metadata__` strings. */
  metadata?: Record<string, string>;
  /** Size of the checkpoint in bytes. */
  byteLength: number;
}

/**
 * An opened checkpoint: tensors are listed (dtype, shape) but not read until asked.
 * Close it when done (it may hold a file handle).
 *
 * @example
 * const ckpt = await openCheckpoint('vit.pth');
 * try {
 *   for (const [key, e] of ckpt.entries) console.log(key, e.dtype, e.shape);
 * } finally { ckpt.close(); }
 */
export interface Checkpoint {
  readonly format: CheckpointFormat;
  /** Every tensor under its flattened key (`model.blocks.0.attn.qkv.weight` for nested dicts). */
  readonly entries: Map<string, TensorEntry>;
  readonly meta: CheckpointMeta;
  close(): void;
}

const MAX_DEPTH = 64;

/**
 * Is `v` a lazy tensor entry produced by a reader (e.g. a leaf of `meta.object`)?
 *
 * @example
 * const w = (ckpt.meta.object as Map<string, unknown>).get('head.weight');
 * if (isTensorEntry(w)) console.log(w.shape);
 */
export function isTensorEntry(v: unknown): v is TensorEntry {
  return typeof v === 'object' && v !== null && typeof (v as TensorEntry).values === 'function' && Array.isArray((v as TensorEntry).shape);
}

/**
 * Every tensor in a nested pickle value, under keys joined with `.` (dict keys as strings, list
 * and tuple items by index). A tensor reached twice keeps its first key; cycles are cut.
 *
 * @example
 * flattenTensors(new Map([['model', new Map([['w', entry]])], ['epoch', 3]])); // Map { 'model.w' => entry }
 */
export function flattenTensors(root: unknown): Map<string, TensorEntry> {
  const out = new Map<string, TensorEntry>();
  const seen = new Set<unknown>();
  const walk = (v: unknown, key: string, depth: number): void => {
    if (typeof v !== 'object' || v === null) return;
    if (isTensorEntry(v)) {
      if (!seen.has(v)) out.set(key, v);
      seen.add(v);
      return;
    }
    if (seen.has(v)) return;
    seen.add(v);
    if (depth > MAX_DEPTH) throw new CheckpointError('CHECKPOINT_LIMIT', `pickle: nesting deeper than ${MAX_DEPTH} at ${key}`);
    const name = (k: unknown) => (typeof k === 'string' || typeof k === 'number' || typeof k === 'bigint' || typeof k === 'boolean' ? String(k) : describe(k));
    const join = (k: unknown) => (key ? `${key}.${name(k)}` : name(k));
    if (v instanceof Map) for (const [k, x] of v) walk(x, join(k), depth + 1);
    else if (Array.isArray(v)) v.forEach((x, i) => walk(x, join(i), depth + 1));
    else if (v instanceof PyObject && v.state instanceof Map) walk(v.state, key, depth + 1);
  };
  walk(root, '', 0);
  return out;
}

/** A checkpoint over an opened source (closing it closes the source). */
export function makeCheckpoint(format: CheckpointFormat, src: ByteSource, entries: Map<string, TensorEntry>, meta: Omit<CheckpointMeta, 'byteLength'> = {}): Checkpoint {
  return { format, entries, meta: { ...meta, byteLength: src.size }, close: () => src.close() };
}
