// A tensor inside a checkpoint, not yet read: dtype and shape are known, values are read (and
// converted, and made contiguous) only when asked, so callers can load one tensor at a time.
import * as tf from '@tensorflow/tfjs-core';
import { fmtShape } from '@tfjs-vit/ops';
import { decodeElements, ELEMENT_SIZE, loadedDType, swapBytes, type LoadedValues, type SourceDType } from './dtypes';
import { CheckpointError } from './errors';
import { describe } from './pickle';
import type { ByteSource } from './source';

/**
 * One tensor of a checkpoint. Reading is lazy: `values()` and `tensor()` read from the source each
 * time they are called (keep the result rather than calling twice).
 *
 * @example
 * const ckpt = await openCheckpoint('vit.pth');
 * const e = ckpt.entries.get('pos_embed')!;
 * console.log(e.dtype, e.shape); // 'float32' [1, 197, 768]
 * const t = e.tensor(); // caller disposes
 */
export interface TensorEntry {
  /** The dtype stored in the checkpoint (before conversion). */
  readonly dtype: SourceDType;
  readonly shape: readonly number[];
  /** Row-major contiguous values: float32 for floats, int32 for integers, 0/1 bytes for bool. */
  values(): LoadedValues;
  /** A new tfjs tensor of the values (the caller owns it). */
  tensor(): tf.Tensor;
}

/** Where a tensor's elements lie: a storage (a byte range of the source) and a strided view of it. */
export interface StridedView {
  name: string;
  source: ByteSource;
  /** Byte offset of the storage's first element in the source (asked when values are read). */
  storageByteOffset: () => number;
  /** Elements in the storage. */
  storageNumel: number;
  dtype: SourceDType;
  shape: readonly number[];
  strides: readonly number[];
  /** Offset of the view's first element, in elements. */
  storageOffset: number;
  bigEndian?: boolean;
}

/** Largest view that may repeat storage elements (stride 0): bounds memory for hostile strides. */
const MAX_EXPANDED = 1 << 24;

function isCount(x: unknown): x is number {
  return typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
}

/** Number of elements of a shape (1 for a scalar). */
export function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Row-major strides of a shape. */
export function contiguousStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

/**
 * Copies the strided view `shape`/`strides` starting at element `base` of `src` into a new
 * row-major array (how non-contiguous PyTorch views and Fortran-order arrays are made contiguous).
 *
 * @example
 * gatherStrided(Float32Array.of(1, 2, 3, 4, 5, 6), [3, 2], [1, 3], 0); // the transpose: [1, 4, 2, 5, 3, 6]
 */
export function gatherStrided<T extends LoadedValues>(src: T, shape: readonly number[], strides: readonly number[], base: number): T {
  const n = numel(shape);
  const out = new (src.constructor as new (n: number) => T)(n);
  if (n === 0) return out;
  const rank = shape.length;
  if (rank === 0) {
    out[0] = src[base];
    return out;
  }
  const idx = new Array<number>(rank).fill(0);
  const inner = shape[rank - 1];
  const innerStride = strides[rank - 1];
  let pos = base;
  for (let o = 0; o < n; o += inner) {
    for (let j = 0, p = pos; j < inner; j++, p += innerStride) out[o + j] = src[p];
    for (let d = rank - 2; d >= 0; d--) {
      idx[d]++;
      pos += strides[d];
      if (idx[d] < shape[d]) break;
      pos -= strides[d] * shape[d];
      idx[d] = 0;
    }
  }
  return out;
}

/**
 * A view's field for a message, without walking it (it may be nested a million deep, or cyclic): a
 * number or a short list of numbers as written, anything else as pickle's `describe`.
 */
function show(v: unknown): string {
  if (typeof v === 'number') return String(v);
  return Array.isArray(v) && v.length <= 8 && v.every((x) => typeof x === 'number') ? `[${v.join(', ')}]` : describe(v);
}

/** Checks a view against its storage and returns a lazy entry for it. */
export function stridedEntry(view: StridedView): TensorEntry {
  const { name, shape, strides, storageOffset, storageNumel, dtype } = view;
  const bad = (msg: string) => new CheckpointError('CHECKPOINT_BAD_TENSOR', `${name}: ${msg}`);
  if (!Array.isArray(shape) || !shape.every(isCount)) throw bad(`shape ${show(shape)} is not a list of sizes`);
  if (!Array.isArray(strides) || strides.length !== shape.length || !strides.every(isCount)) {
    throw bad(`stride ${show(strides)} does not fit shape ${fmtShape(shape)}`);
  }
  if (!isCount(storageOffset) || !isCount(storageNumel)) throw bad(`storage offset ${show(storageOffset)} / size ${show(storageNumel)} are not counts`);
  const count = numel(shape);
  let extent = 0; // elements of the storage the view touches, from storageOffset
  if (count > 0) extent = 1 + shape.reduce((acc, s, i) => acc + (s - 1) * strides[i], 0);
  if (count > 0 && storageOffset + extent > storageNumel) {
    throw new CheckpointError(
      'CHECKPOINT_BAD_OFFSETS',
      `${name}: view ${fmtShape(shape)} with stride ${fmtShape(strides)} at offset ${storageOffset} needs ${storageOffset + extent} elements, storage has ${storageNumel}`,
    );
  }
  if (count > storageNumel && count > MAX_EXPANDED) {
    throw new CheckpointError('CHECKPOINT_LIMIT', `${name}: view ${fmtShape(shape)} of ${count} elements over a storage of ${storageNumel}`);
  }
  const size = ELEMENT_SIZE[dtype];
  const rowMajor = contiguousStrides(shape);
  const contiguous = shape.every((s, i) => s === 1 || strides[i] === rowMajor[i]);
  const values = (): LoadedValues => {
    if (count === 0) return decodeElements(new Uint8Array(0), dtype, name);
    const span = contiguous ? count : extent;
    const raw = view.source.read(view.storageByteOffset() + storageOffset * size, span * size);
    let bytes = raw;
    if (view.bigEndian) {
      bytes = view.source.freshReads ? raw : raw.slice();
      swapBytes(bytes, size);
    }
    const decoded = decodeElements(bytes, dtype, name, view.source.freshReads || bytes !== raw);
    return contiguous ? decoded : gatherStrided(decoded, shape, strides, 0);
  };
  return { dtype, shape: [...shape], values, tensor: () => tf.tensor(values(), [...shape], loadedDType(dtype)) };
}

/** An entry over values already in memory (used for npy arrays after a Fortran-order transpose). */
export function valuesEntry(dtype: SourceDType, shape: readonly number[], read: () => LoadedValues): TensorEntry {
  return { dtype, shape: [...shape], values: read, tensor: () => tf.tensor(read(), [...shape], loadedDType(dtype)) };
}
