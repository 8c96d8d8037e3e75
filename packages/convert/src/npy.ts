// NumPy's .npy format: magic `\x93NUMPY`, version, a Python-literal header dict (descr,
// fortran_order, shape), then the raw array. Object arrays are refused (they are pickles).
import { type Checkpoint, makeCheckpoint } from './checkpoint';
import { ELEMENT_SIZE, type SourceDType } from './dtypes';
import { assertAvailable, CheckpointError } from './errors';
import { bytesSource, type ByteSource } from './source';
import { contiguousStrides, numel, stridedEntry, type TensorEntry } from './tensor_entry';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
const MAX_HEADER = 1 << 20;

const NPY_DTYPES: Record<string, SourceDType> = {
  f4: 'float32', f8: 'float64', f2: 'float16', i8: 'int64', i4: 'int32', i2: 'int16', i1: 'int8', u1: 'uint8', b1: 'bool',
};

/** What an .npy header says. `dataOffset` is relative to the start of the .npy bytes. */
export interface NpyHeader {
  dtype: SourceDType;
  shape: number[];
  fortranOrder: boolean;
  bigEndian: boolean;
  dataOffset: number;
}

/** Does `head` start with the .npy magic? */
export function isNpy(head: Uint8Array): boolean {
  return MAGIC.every((b, i) => head[i] === b);
}

function bad(what: string, msg: string): never {
  throw new CheckpointError('CHECKPOINT_BAD_HEADER', `npy ${what}: ${msg}`);
}

/**
 * Parses an .npy header from the first bytes of the array (`read(offset, length)` gives them).
 *
 * @example
 * parseNpyHeader('w', (o, n) => bytes.subarray(o, o + n), bytes.length); // { dtype: 'float32', shape: [2, 3], ... }
 */
export function parseNpyHeader(what: string, read: (offset: number, length: number) => Uint8Array, size: number): NpyHeader {
  assertAvailable(`npy ${what}`, 0, 10, size);
  const pre = read(0, 12 <= size ? 12 : 10);
  if (!isNpy(pre)) throw new CheckpointError('CHECKPOINT_BAD_MAGIC', `npy ${what}: does not start with \\x93NUMPY`);
  const major = pre[6];
  let len: number;
  let start: number;
  if (major === 1) [len, start] = [pre[8] | (pre[9] << 8), 10];
  else if (major === 2 || major === 3) {
    assertAvailable(`npy ${what}`, 0, 12, size);
    [len, start] = [new DataView(pre.slice(8, 12).buffer).getUint32(0, true), 12];
  } else return bad(what, `format version ${major}.${pre[7]} is not supported`);
  if (len > MAX_HEADER) throw new CheckpointError('CHECKPOINT_LIMIT', `npy ${what}: header of ${len} bytes`);
  assertAvailable(`npy ${what} header`, start, len, size);
  const text = new TextDecoder('latin1').decode(read(start, len));
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(text)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(text)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(text)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    return bad(what, `header ${JSON.stringify(text.slice(0, 120))} lacks descr, fortran_order or shape`);
  }
  if (descr.includes('O')) throw new CheckpointError('CHECKPOINT_UNSUPPORTED_DTYPE', `npy ${what}: object arrays (descr ${descr}) are pickles and are refused`);
  const order = descr[0];
  const dtype = NPY_DTYPES[descr.slice(1)];
  if (!dtype || !'<>|='.includes(order)) {
    throw new CheckpointError('CHECKPOINT_UNSUPPORTED_DTYPE', `npy ${what}: dtype ${descr} is not supported`);
  }
  const shape = shapeText.split(',').map((s) => s.trim()).filter(Boolean).map((s) => (/^\d{1,15}$/.test(s) ? Number(s) : bad(what, `shape (${shapeText})`)));
  return { dtype, shape, fortranOrder: fortran === 'True', bigEndian: order === '>' && ELEMENT_SIZE[dtype] > 1, dataOffset: start + len };
}

/**
 * A lazy entry for an array whose .npy bytes start at `base` of `src`. Fortran-order arrays are
 * made row-major when read.
 *
 * @example
 * const e = npyEntry('w', src, 0, src.size);
 */
export function npyEntry(what: string, src: ByteSource, base: number, size: number): TensorEntry {
  const h = parseNpyHeader(what, (o, n) => src.read(base + o, n), size);
  const count = numel(h.shape);
  const bytes = count * ELEMENT_SIZE[h.dtype];
  if (h.dataOffset + bytes > size) {
    throw new CheckpointError('CHECKPOINT_TRUNCATED', `npy ${what}: ${h.dtype} ${JSON.stringify(h.shape)} needs ${bytes} bytes of data, ${size - h.dataOffset} follow the header`);
  }
  const strides = h.fortranOrder ? contiguousStrides([...h.shape].reverse()).reverse() : contiguousStrides(h.shape);
  return stridedEntry({
    name: what, source: src, storageByteOffset: () => base + h.dataOffset, storageNumel: count, dtype: h.dtype,
    shape: h.shape, strides, storageOffset: 0, bigEndian: h.bigEndian,
  });
}

/**
 * Opens a single .npy file; its one array is the entry `array`.
 *
 * @example
 * const ckpt = openNpy(bytesSource(bytes)); ckpt.entries.get('array')!.tensor();
 */
export function openNpy(src: ByteSource): Checkpoint {
  return makeCheckpoint('npy', src, new Map([['array', npyEntry('array', src, 0, src.size)]]));
}

/** An in-memory source for an inflated .npz member. */
export function inflatedSource(read: () => Uint8Array, size: number): ByteSource {
  let bytes: ByteSource | undefined;
  const get = () => (bytes ??= bytesSource(read()));
  return { size, freshReads: false, read: (o, n) => get().read(o, n), close: () => (bytes = undefined) };
}
