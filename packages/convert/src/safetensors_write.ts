// safetensors writer: sorted keys, a space-padded header whose length is a multiple of 8, and
// contiguous data in key order — the layout safetensors.torch.save_file produces and load_file reads.
import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError, importNode } from '@tfjs-vit/ops';
import { openAtomicFile } from './atomic_file';
import { floatToBfloat16, floatToHalf } from './dtypes';

/** Anything with a state dict: a `Map` of tensors or a module (whose `stateDict()` makes new ones). */
export type StateDictSource = Map<string, tf.Tensor> | { stateDict(): Map<string, tf.Tensor> };

/** Options of {@link serializeSafetensors} and {@link saveSafetensors}. */
export interface SaveSafetensorsOptions {
  /** Strings stored under `__metadata__` (e.g. `{ format: 'pt' }`, which timm's tools expect). */
  metadata?: Record<string, string>;
  /** Store float tensors as float16 or bfloat16 instead of float32. */
  floatDType?: 'float32' | 'float16' | 'bfloat16';
}

/** A tensor to write, known by shape and dtype before its values are made. */
interface Lazy {
  shape: number[];
  dtype: tf.DataType;
  /** The tensor; `owned`: made for writing, disposed once written. */
  get(): tf.Tensor;
  owned: boolean;
}

interface Planned extends Lazy {
  key: string;
  storedDType: string;
  bytes: number;
}

type ModuleLike = { namedParameters(prefix: string, options: { includeBuffers: boolean }): [string, { variable: tf.Variable; stateShape: number[]; layout: { toState(t: tf.Tensor): tf.Tensor } }][] };

/** The tensors of a source, each made only when written (a module's state one key at a time). */
function lazyStateDict(source: StateDictSource): { dict: Map<string, Lazy>; dispose(): void } {
  const borrowed = (tensors: Map<string, tf.Tensor>) => new Map([...tensors].map(([k, t]) => [k, { shape: [...t.shape], dtype: t.dtype, get: () => t, owned: false }]));
  if (source instanceof Map) return { dict: borrowed(source), dispose: () => {} };
  const mod = source as Partial<ModuleLike>;
  if (typeof mod.namedParameters === 'function') {
    const dict = new Map(mod.namedParameters('', { includeBuffers: true }).map(([k, p]) => [k, {
      shape: p.stateShape, dtype: p.variable.dtype, get: () => tf.tidy(() => p.layout.toState(p.variable)), owned: true,
    }]));
    return { dict, dispose: () => {} };
  }
  const tensors = source.stateDict();
  return { dict: borrowed(tensors), dispose: () => tf.dispose([...tensors.values()]) };
}

function plan(dict: Map<string, Lazy>, options: SaveSafetensorsOptions): { header: Uint8Array; items: Planned[]; dataSize: number } {
  const floatDType = options.floatDType ?? 'float32';
  const floatName = { float32: 'F32', float16: 'F16', bfloat16: 'BF16' }[floatDType];
  if (!floatName) throw new ArgumentError(`saveSafetensors: floatDType must be float32, float16 or bfloat16, got ${floatDType}`);
  const items: Planned[] = [];
  const json: Record<string, unknown> = {};
  let offset = 0;
  for (const key of [...dict.keys()].sort()) {
    if (key === '__metadata__') throw new ArgumentError('saveSafetensors: "__metadata__" is reserved and cannot be a tensor key');
    const lazy = dict.get(key)!;
    let dtype: string;
    let size: number;
    if (lazy.dtype === 'float32') [dtype, size] = [floatName, floatDType === 'float32' ? 4 : 2];
    else if (lazy.dtype === 'int32') [dtype, size] = ['I32', 4];
    else if (lazy.dtype === 'bool') [dtype, size] = ['BOOL', 1];
    else throw new ArgumentError(`saveSafetensors: ${key} has dtype ${lazy.dtype}; float32, int32 and bool are supported`);
    const bytes = lazy.shape.reduce((a, b) => a * b, 1) * size;
    json[key] = { dtype, shape: lazy.shape, data_offsets: [offset, offset + bytes] };
    items.push({ ...lazy, key, storedDType: dtype, bytes });
    offset += bytes;
  }
  if (options.metadata) {
    for (const [k, v] of Object.entries(options.metadata)) {
      if (typeof v !== 'string') throw new ArgumentError(`saveSafetensors: metadata ${k} must be a string, got ${typeof v}`);
    }
    json.__metadata__ = options.metadata;
  }
  const text = new TextEncoder().encode(JSON.stringify(json));
  const padded = Math.ceil(text.length / 8) * 8;
  const header = new Uint8Array(8 + padded).fill(0x20);
  new DataView(header.buffer).setBigUint64(0, BigInt(padded), true);
  header.set(text, 8);
  return { header, items, dataSize: offset };
}

/** The item's bytes (its tensor is made, read and, when made for writing, disposed here). */
function encode(item: Planned): Uint8Array {
  const tensor = item.get();
  let values: tf.TypedArray;
  try {
    values = tensor.dataSync() as tf.TypedArray;
  } finally {
    if (item.owned) tensor.dispose(); // values stay valid: the backend's copy or a freed array's last reference
  }
  if (item.storedDType === 'F32' || item.storedDType === 'I32') {
    return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  }
  if (item.storedDType === 'BOOL') return Uint8Array.from(values as Uint8Array, (v) => (v ? 1 : 0));
  const half = new Uint16Array(values.length);
  const convert = item.storedDType === 'F16' ? floatToHalf : floatToBfloat16;
  for (let i = 0; i < values.length; i++) half[i] = convert(values[i] as number);
  return new Uint8Array(half.buffer);
}

function withStateDict<T>(source: StateDictSource, fn: (dict: Map<string, Lazy>) => T): T {
  const { dict, dispose } = lazyStateDict(source);
  try {
    return fn(dict);
  } finally {
    dispose();
  }
}

/**
 * A safetensors file as bytes. Float tensors are stored as F32 (or F16/BF16 with `floatDType`),
 * int32 as I32, bool as BOOL. The tensors are not disposed (a module's own state-dict copies are).
 *
 * @example
 * const bytes = serializeSafetensors(new Map([['w', tf.ones([2, 2])]]), { metadata: { format: 'pt' } });
 */
export function serializeSafetensors(source: StateDictSource, options: SaveSafetensorsOptions = {}): Uint8Array {
  return withStateDict(source, (dict) => {
    const { header, items, dataSize } = plan(dict, options);
    const out = new Uint8Array(header.length + dataSize);
    out.set(header, 0);
    let at = header.length;
    for (const item of items) {
      out.set(encode(item), at);
      at += item.bytes;
    }
    return out;
  });
}

/**
 * Writes a safetensors file that `safetensors.torch.load_file` and timm's `load_state_dict` read
 * (Node only). Tensors are made and written one at a time (a module's state too, key by key), so
 * memory stays near one tensor's size. The file appears only when complete (a temporary file, then
 * a rename): an interrupted save leaves the previous file as it was.
 *
 * @example
 * await saveSafetensors(model, 'vit_tiny.safetensors', { metadata: { format: 'pt' } });
 */
export async function saveSafetensors(source: StateDictSource, path: string, options: SaveSafetensorsOptions = {}): Promise<void> {
  const fs = await importNode<typeof import('node:fs')>('node:fs');
  withStateDict(source, (dict) => {
    const { header, items } = plan(dict, options);
    const file = openAtomicFile(fs, path);
    try {
      file.write(header);
      for (const item of items) file.write(encode(item));
      file.commit();
    } catch (e) {
      file.abort();
      throw e;
    }
  });
}
