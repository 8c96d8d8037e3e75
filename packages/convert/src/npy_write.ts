// Writing NumPy .npy (format 1.0): the magic, a header dict padded to a 64-byte boundary, then the
// little-endian array — what `numpy.load` reads (embeddings out of `tfjs-vit embed`).
import { ArgumentError } from '@tfjs-vit/ops';

/**
 * An .npy file holding `data` (float32 or int32, C order) with `shape`.
 *
 * @example
 * ```ts
 * const bytes = serializeNpy(vectors, [numImages, 384]); // numpy.load(...) → float32 (N, 384)
 * ```
 */
export function serializeNpy(data: Float32Array | Int32Array, shape: readonly number[]): Uint8Array {
  const n = shape.reduce((a, b) => a * b, 1);
  if (!shape.every((d) => Number.isInteger(d) && d >= 0) || n !== data.length) {
    throw new ArgumentError(`serializeNpy: shape [${shape.join(', ')}] holds ${n} values, data has ${data.length}`);
  }
  const descr = data instanceof Float32Array ? '<f4' : '<i4';
  const dims = shape.length === 1 ? `${shape[0]},` : shape.join(', ');
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${dims}), }`;
  const unpadded = 10 + header.length + 1; // magic + version + length field, header, '\n'
  header += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const out = new Uint8Array(10 + header.length + data.byteLength);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length & 0xff, header.length >> 8]);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), 10 + header.length);
  return out;
}
