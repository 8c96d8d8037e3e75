// Checkpoint tensors as safetensors bytes, through @tfjs-vit/convert's writer and reader; reader
// errors are re-thrown as TrainingCheckpointError (the convert error is the `cause`).
import type * as tf from '@tensorflow/tfjs-core';
import { bytesSource, openSafetensors, serializeSafetensors } from '@tfjs-vit/convert';
import { TrainingCheckpointError } from './errors';

/** Encodes tensors (not disposed) and string metadata as a safetensors file (F32 / I32 / BOOL). */
export function encodeSafetensors(tensors: Map<string, tf.Tensor>, metadata: Record<string, string> = {}): Uint8Array {
  try {
    return serializeSafetensors(tensors, Object.keys(metadata).length ? { metadata } : {});
  } catch (cause) {
    throw new TrainingCheckpointError(`cannot encode checkpoint tensors: ${(cause as Error).message}`, { cause });
  }
}

/** Decodes a safetensors file into new tensors (the caller disposes them) and its metadata. */
export function decodeSafetensors(bytes: Uint8Array, what = 'safetensors'): { tensors: Map<string, tf.Tensor>; metadata: Record<string, string> } {
  const tensors = new Map<string, tf.Tensor>();
  try {
    const ckpt = openSafetensors(bytesSource(bytes));
    try {
      for (const [name, entry] of ckpt.entries) tensors.set(name, entry.tensor());
      return { tensors, metadata: ckpt.meta.metadata ?? {} };
    } finally {
      ckpt.close();
    }
  } catch (cause) {
    for (const t of tensors.values()) t.dispose();
    throw new TrainingCheckpointError(`${what}: ${(cause as Error).message}`, { cause });
  }
}
