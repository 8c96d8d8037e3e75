// A minimal safetensors encoder/decoder for checkpoints (F32 / I32, I64 read as int32). Private to
// this package until @tfjs-vit/convert exports its own reader and writer.
import * as tf from '@tensorflow/tfjs-core';
import { CheckpointError } from './errors';

const DTYPE_OUT: Record<string, string> = { float32: 'F32', int32: 'I32', bool: 'U8' };

/**
 * Encodes tensors (name → tensor, not disposed) and string metadata as a safetensors file.
 * Entries are sorted by name; the header is padded to 8 bytes, as the reference writer does.
 */
export async function encodeSafetensors(tensors: Map<string, tf.Tensor>, metadata: Record<string, string> = {}): Promise<Uint8Array> {
  const names = [...tensors.keys()].sort();
  const header: Record<string, unknown> = {};
  const blobs: Uint8Array[] = [];
  let offset = 0;
  for (const name of names) {
    const t = tensors.get(name)!;
    const dtype = DTYPE_OUT[t.dtype];
    if (!dtype) throw new CheckpointError(`${name}: cannot store dtype ${t.dtype} (float32, int32 or bool expected)`);
    const data = await t.data();
    const bytes = t.dtype === 'bool' ? Uint8Array.from(data as Uint8Array) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    header[name] = { dtype, shape: t.shape, data_offsets: [offset, offset + bytes.byteLength] };
    blobs.push(bytes);
    offset += bytes.byteLength;
  }
  if (Object.keys(metadata).length) header.__metadata__ = metadata;
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (Buffer.byteLength(json) % 8)) % 8);
  const hb = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + hb.byteLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(hb.byteLength), true);
  out.set(hb, 8);
  let at = 8 + hb.byteLength;
  for (const b of blobs) {
    out.set(b, at);
    at += b.byteLength;
  }
  return out;
}

/** Decodes a safetensors file into new tensors (the caller disposes them) and its metadata. */
export function decodeSafetensors(bytes: Uint8Array, what = 'safetensors'): { tensors: Map<string, tf.Tensor>; metadata: Record<string, string> } {
  if (bytes.byteLength < 8) throw new CheckpointError(`${what}: expected at least 8 bytes, got ${bytes.byteLength}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = Number(view.getBigUint64(0, true));
  if (8 + headerLen > bytes.byteLength) throw new CheckpointError(`${what}: header of ${headerLen} bytes does not fit in ${bytes.byteLength} bytes`);
  let header: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] } | Record<string, string>>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLen)));
  } catch (cause) {
    throw new CheckpointError(`${what}: header is not valid JSON`, { cause });
  }
  const metadata = (header.__metadata__ ?? {}) as Record<string, string>;
  const base = 8 + headerLen;
  const tensors = new Map<string, tf.Tensor>();
  for (const [name, e] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const { dtype, shape, data_offsets: [start, end] } = e as { dtype: string; shape: number[]; data_offsets: [number, number] };
    const raw = bytes.slice(base + start, base + end); // aligned copy
    if (dtype === 'F32') tensors.set(name, tf.tensor(new Float32Array(raw.buffer), shape, 'float32'));
    else if (dtype === 'I32') tensors.set(name, tf.tensor(new Int32Array(raw.buffer), shape, 'int32'));
    else if (dtype === 'I64') tensors.set(name, tf.tensor(Int32Array.from(new BigInt64Array(raw.buffer), Number), shape, 'int32'));
    else if (dtype === 'U8' || dtype === 'BOOL') tensors.set(name, tf.tensor(raw, shape, 'bool'));
    else throw new CheckpointError(`${what}: entry ${name} has dtype ${dtype} (F32, I32, I64, U8 or BOOL expected)`);
  }
  return { tensors, metadata };
}
