// Reads the safetensors fixtures written by tools/fixtures/*.py (real PyTorch outputs).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';

export interface Fixture {
  /** The `__metadata__` of the file: the generator's settings, as strings (JSON where structured). */
  meta: Record<string, string>;
  names(): string[];
  shape(name: string): number[];
  data(name: string): Float32Array | Int32Array;
  /** A new tensor of the named entry (the caller disposes it). */
  tensor(name: string): tf.Tensor;
  /** Every entry whose name starts with `prefix`, with the prefix removed, as new tensors. */
  tensors(prefix: string): Map<string, tf.Tensor>;
  has(name: string): boolean;
}

interface Entry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

/**
 * Loads a fixture file (a path, or a URL such as `new URL('../fixtures/x.safetensors', import.meta.url)`).
 * Only F32 and I64/I32 (read as int32) entries are expected.
 */
export function loadFixture(path: string | URL): Fixture {
  const buf = readFileSync(path);
  const headerLen = Number(buf.readBigUInt64LE(0));
  const header = JSON.parse(buf.subarray(8, 8 + headerLen).toString('utf8')) as Record<string, unknown>;
  const meta = (header.__metadata__ ?? {}) as Record<string, string>;
  delete header.__metadata__;
  const entries = header as Record<string, Entry>;
  const base = 8 + headerLen;
  const get = (name: string): Entry => {
    const e = entries[name];
    if (!e) throw new Error(`fixture ${path}: no entry ${name}`);
    return e;
  };
  const data = (name: string): Float32Array | Int32Array => {
    const e = get(name);
    const [start, end] = e.data_offsets;
    const bytes = buf.subarray(base + start, base + end);
    const copy = new Uint8Array(bytes); // aligned copy
    if (e.dtype === 'F32') return new Float32Array(copy.buffer);
    if (e.dtype === 'I32') return new Int32Array(copy.buffer);
    if (e.dtype === 'I64') {
      const big = new BigInt64Array(copy.buffer);
      return Int32Array.from(big, (v) => Number(v));
    }
    throw new Error(`fixture ${path}: entry ${name} has dtype ${e.dtype}`);
  };
  const tensor = (name: string): tf.Tensor => {
    const d = data(name);
    return tf.tensor(d, get(name).shape, d instanceof Float32Array ? 'float32' : 'int32');
  };
  return {
    meta,
    names: () => Object.keys(entries),
    shape: (name) => [...get(name).shape],
    data,
    tensor,
    tensors: (prefix) => {
      const out = new Map<string, tf.Tensor>();
      for (const name of Object.keys(entries)) {
        if (name.startsWith(prefix)) out.set(name.slice(prefix.length), tensor(name));
      }
      return out;
    },
    has: (name) => name in entries,
  };
}

/**
 * sha256 of the sorted `key:d0xd1x…` lines of state-dict shapes: what tools/fixtures/timm_src.py's
 * `shape_digest` writes for a timm model, so a registry test compares whole key sets in one value.
 */
export function shapeDigest(shapes: Iterable<readonly [string, readonly number[]]>): string {
  const lines = [...shapes].map(([k, s]) => `${k}:${s.join('x')}`).sort();
  return createHash('sha256').update(lines.join('\n')).digest('hex');
}
