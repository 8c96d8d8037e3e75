// The front door: sniff a checkpoint's format from its first bytes (and, for zips, its entry
// names), open it with the right reader, and optionally materialise every tensor.
import type * as tf from '@tensorflow/tfjs-core';
import { type Checkpoint, type CheckpointFormat, type CheckpointMeta, flattenTensors, makeCheckpoint } from './checkpoint';
import { CheckpointError } from './errors';
import { isNpy, openNpy } from './npy';
import { openNpz } from './npz';
import { readPickle } from './pickle';
import { openSafetensors } from './safetensors_read';
import { bytesSource, type ByteSource, fileSource } from './source';
import { STATE_DICT_GLOBALS } from './torch_globals';
import { openTorchLegacy } from './torch_legacy';
import { findDataPkl, openTorchZip } from './torch_zip';
import { readZip } from './zip';

/** A checkpoint given as a path (Node), bytes (anywhere), or an opened source. */
export type CheckpointSource = string | Uint8Array | ByteSource;

function hex(b: Uint8Array): string {
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join(' ');
}

function openFrom(src: ByteSource): Checkpoint {
  const head = src.read(0, Math.min(16, src.size));
  if (head.length < 4) throw new CheckpointError('CHECKPOINT_TRUNCATED', `checkpoint of ${src.size} bytes is too short to be anything`);
  if (head[0] === 0x50 && head[1] === 0x4b && (head[2] === 3 || head[2] === 5)) {
    const entries = readZip(src);
    if (findDataPkl(entries)) return openTorchZip(src, entries);
    if ([...entries.keys()].some((n) => n.endsWith('.npy'))) return openNpz(src, entries);
    const names = [...entries.keys()].slice(0, 5).join(', ');
    throw new CheckpointError('CHECKPOINT_UNKNOWN_FORMAT', `zip archive with neither data.pkl nor .npy entries (${names})`);
  }
  if (isNpy(head)) return openNpy(src);
  if (head[0] === 0x80 && head[1] <= 5) {
    // torch's legacy format starts with the pickled magic number: PROTO 2, LONG1 of 10 bytes.
    if (head[1] === 2 && head[2] === 0x8a && head[3] === 10) return openTorchLegacy(src);
    const { value } = readPickle(src.read(0, src.size), 0, { globals: STATE_DICT_GLOBALS });
    return makeCheckpoint('pickle', src, flattenTensors(value), { object: value });
  }
  if (head.length >= 9 && head[8] === 0x7b) return openSafetensors(src); // '{' after the length
  throw new CheckpointError(
    'CHECKPOINT_UNKNOWN_FORMAT',
    `not a torch (zip or legacy), safetensors, npz or npy checkpoint: starts with ${hex(head.subarray(0, 12))}`,
  );
}

/**
 * Opens a checkpoint of any supported format without reading its tensors: PyTorch `.pth`
 * (zip or legacy), safetensors, NumPy `.npz` / `.npy`. A path is read by positioned reads from the
 * file (Node); bytes work everywhere. Close the result when done.
 *
 * @example
 * const ckpt = await openCheckpoint('ViT-B_16.npz');
 * console.log(ckpt.format, [...ckpt.entries.keys()].slice(0, 3));
 * ckpt.close();
 */
export async function openCheckpoint(source: CheckpointSource): Promise<Checkpoint> {
  const src = typeof source === 'string' ? await fileSource(source) : source instanceof Uint8Array ? bytesSource(source) : source;
  try {
    return openFrom(src);
  } catch (err) {
    src.close();
    throw err;
  }
}

/** Options of {@link readCheckpoint}. */
export interface ReadCheckpointOptions {
  /** Materialise only the tensors whose key passes (e.g. skip `optimizer.*`). */
  filter?: (key: string) => boolean;
}

/** A checkpoint with every (selected) tensor materialised. */
export interface LoadedCheckpoint {
  format: CheckpointFormat;
  /** New tensors under flattened keys: float32 for floats, int32 for integers. The caller disposes them. */
  tensors: Map<string, tf.Tensor>;
  meta: CheckpointMeta;
}

/**
 * Reads a checkpoint and materialises its tensors (float16/bfloat16/float64 → float32, int64 →
 * int32, views made contiguous). Tensors are created one at a time, so peak memory stays near
 * the checkpoint's size.
 *
 * @example
 * const { format, tensors } = await readCheckpoint('vit_base_patch16_224.pth');
 * tensors.get('pos_embed')!.shape; // [1, 197, 768]
 */
export async function readCheckpoint(source: CheckpointSource, options: ReadCheckpointOptions = {}): Promise<LoadedCheckpoint> {
  const ckpt = await openCheckpoint(source);
  const tensors = new Map<string, tf.Tensor>();
  try {
    for (const [key, entry] of ckpt.entries) {
      if (options.filter && !options.filter(key)) continue;
      try {
        tensors.set(key, entry.tensor());
      } catch (err) {
        if (err instanceof CheckpointError) throw new CheckpointError(err.code, `${key}: ${err.message}`, { cause: err });
        throw err;
      }
    }
  } catch (err) {
    for (const t of tensors.values()) t.dispose();
    throw err;
  } finally {
    ckpt.close();
  }
  return { format: ckpt.format, tensors, meta: ckpt.meta };
}
