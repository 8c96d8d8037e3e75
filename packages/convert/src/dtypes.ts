// Element types found in checkpoints and their conversion to what tfjs holds: every float becomes
// float32, every integer int32 (int64 beyond int32's range is an error, not a silent wrap), bool bool.
import { CheckpointError } from './errors';

/** A checkpoint element type, named as in PyTorch. */
export type SourceDType =
  | 'float32'
  | 'float16'
  | 'bfloat16'
  | 'float64'
  | 'int64'
  | 'int32'
  | 'int16'
  | 'int8'
  | 'uint8'
  | 'bool';

/** The tfjs dtype a source dtype is loaded as. */
export type LoadedDType = 'float32' | 'int32' | 'bool';

/** Loaded element values: Float32Array (float32), Int32Array (int32) or Uint8Array (bool). */
export type LoadedValues = Float32Array | Int32Array | Uint8Array;

/** Bytes per element of each source dtype. */
export const ELEMENT_SIZE: Readonly<Record<SourceDType, number>> = {
  float32: 4, float16: 2, bfloat16: 2, float64: 8, int64: 8, int32: 4, int16: 2, int8: 1, uint8: 1, bool: 1,
};

/**
 * The tfjs dtype a source dtype becomes on load.
 *
 * @example
 * loadedDType('bfloat16'); // 'float32'
 */
export function loadedDType(dtype: SourceDType): LoadedDType {
  if (dtype === 'bool') return 'bool';
  if (dtype.startsWith('float') || dtype === 'bfloat16') return 'float32';
  return 'int32';
}

/**
 * IEEE half bits → number (subnormals, infinities and NaN included).
 *
 * @example
 * halfToFloat(0x3c00); // 1
 */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? Number.NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/**
 * float32 → IEEE half bits, rounding to nearest even (as PyTorch's `.half()` does).
 *
 * @example
 * floatToHalf(1); // 0x3c00
 */
export function floatToHalf(value: number): number {
  f32[0] = value;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  const mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    const m = mant | 0x800000;
    const shift = 14 - e;
    const half = m >>> shift;
    const rest = m & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    return sign | (half + (rest > mid || (rest === mid && half & 1) ? 1 : 0));
  }
  const base = sign | (e << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  return base + (rest > 0x1000 || (rest === 0x1000 && base & 1) ? 1 : 0);
}

/**
 * float32 → bfloat16 bits, rounding to nearest even (as PyTorch's `.bfloat16()` does).
 *
 * @example
 * floatToBfloat16(1); // 0x3f80
 */
export function floatToBfloat16(value: number): number {
  f32[0] = value;
  const x = u32[0];
  if (Number.isNaN(value)) return ((x >>> 16) | 0x40) & 0xffff;
  return ((x + 0x7fff + ((x >>> 16) & 1)) >>> 16) & 0xffff;
}

function aligned(bytes: Uint8Array, size: number): Uint8Array {
  return bytes.byteOffset % size === 0 ? bytes : bytes.slice();
}

/**
 * Decodes little-endian elements to loaded values. `bytes.length` must be a multiple of the
 * element size. When `reuse` is set and the bytes are aligned float32/int32, the result is a view
 * of `bytes` (no copy) — pass it only for buffers nobody else holds.
 *
 * @example
 * decodeElements(new Uint8Array([0, 60]), 'float16', 'w'); // Float32Array [1]
 */
export function decodeElements(bytes: Uint8Array, dtype: SourceDType, what: string, reuse = false): LoadedValues {
  const size = ELEMENT_SIZE[dtype];
  const n = bytes.length / size;
  if (!Number.isInteger(n)) {
    throw new CheckpointError('CHECKPOINT_BAD_TENSOR', `${what}: ${bytes.length} bytes is not a whole number of ${dtype} elements`);
  }
  const src = aligned(bytes, size);
  const buf = src.buffer;
  const off = src.byteOffset;
  switch (dtype) {
    case 'float32':
      return reuse || src !== bytes ? new Float32Array(buf, off, n) : new Float32Array(new Float32Array(buf, off, n));
    case 'int32':
      return reuse || src !== bytes ? new Int32Array(buf, off, n) : new Int32Array(new Int32Array(buf, off, n));
    case 'float64':
      return Float32Array.from(new Float64Array(buf, off, n));
    case 'float16': {
      const h = new Uint16Array(buf, off, n);
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = halfToFloat(h[i]);
      return out;
    }
    case 'bfloat16': {
      const h = new Uint16Array(buf, off, n);
      const out = new Uint32Array(n);
      for (let i = 0; i < n; i++) out[i] = h[i] << 16;
      return new Float32Array(out.buffer);
    }
    case 'int64': {
      const words = new Int32Array(buf, off, 2 * n);
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const lo = words[2 * i];
        if (words[2 * i + 1] !== lo >> 31) {
          const v = (BigInt(words[2 * i + 1]) << 32n) | BigInt(lo >>> 0);
          throw new CheckpointError('CHECKPOINT_OUT_OF_RANGE', `${what}: int64 value ${v} at element ${i} does not fit in int32`);
        }
        out[i] = lo;
      }
      return out;
    }
    case 'int16':
      return Int32Array.from(new Int16Array(buf, off, n));
    case 'int8':
      return Int32Array.from(new Int8Array(buf, off, n));
    case 'uint8':
      return Int32Array.from(bytes);
    case 'bool':
      return Uint8Array.from(bytes, (b) => (b ? 1 : 0));
  }
}

/** Reverses the byte order of each element in place (for big-endian checkpoints). */
export function swapBytes(bytes: Uint8Array, size: number): void {
  if (size === 1) return;
  for (let i = 0; i + size <= bytes.length; i += size) {
    for (let a = i, b = i + size - 1; a < b; a++, b--) {
      const t = bytes[a];
      bytes[a] = bytes[b];
      bytes[b] = t;
    }
  }
}
