// Iterating a BatchSource: arrays, sync / async iterables, or factories of them.
import type { Batch, BatchSource } from './types';

/** Yields the batches of one pass over `source`. */
export async function* iterateBatches(source: BatchSource): AsyncGenerator<Batch> {
  const s = typeof source === 'function' ? source() : source;
  if (Symbol.asyncIterator in s) {
    for await (const b of s as AsyncIterable<Batch>) yield b;
  } else {
    for (const b of s as Iterable<Batch>) yield b;
  }
}

/** Arrays are reused across epochs, so the trainer must not dispose their tensors. */
export function ownsBatches(source: BatchSource): boolean {
  return !Array.isArray(source);
}

/** The number of batches, when the source knows it (an array, or anything with `length`). */
export function knownLength(source: BatchSource): number | undefined {
  const n = (source as { length?: unknown }).length;
  return typeof source !== 'function' && typeof n === 'number' ? n : undefined;
}

/**
 * Tells an epoch-aware source (one with a numeric `epoch` field, like the transforms DataLoader,
 * whose shuffle and augmentation are seeded by (seed, epoch)) which epoch comes next, so a resumed
 * run sees the same batches as an uninterrupted one (torch's `sampler.set_epoch`).
 */
export function setSourceEpoch(source: BatchSource, epoch: number): void {
  const s = source as { epoch?: unknown };
  if (typeof source === 'object' && source !== null && !Array.isArray(source) && typeof s.epoch === 'number') s.epoch = epoch;
}
