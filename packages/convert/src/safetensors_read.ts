// safetensors reader: an 8-byte little-endian header length, a JSON header (name → dtype, shape,
// data_offsets), then the raw little-endian data. Every claim of the header is checked.
import { type Checkpoint, makeCheckpoint } from './checkpoint';
import { ELEMENT_SIZE, type SourceDType } from './dtypes';
import { CheckpointError } from './errors';
import type { ByteSource } from './source';
import { contiguousStrides, numel, stridedEntry, type TensorEntry } from './tensor_entry';

/** Header-length limit: safetensors' own reader refuses headers over 100 MB. */
export const MAX_SAFETENSORS_HEADER = 100_000_000;

/** safetensors dtype names ↔ source dtypes. */
export const SAFETENSORS_DTYPES: Readonly<Record<string, SourceDType>> = {
  F32: 'float32', F16: 'float16', BF16: 'bfloat16', F64: 'float64', I64: 'int64', I32: 'int32',
  I16: 'int16', I8: 'int8', U8: 'uint8', BOOL: 'bool',
};

function header(msg: string): CheckpointError {
  return new CheckpointError('CHECKPOINT_BAD_HEADER', `safetensors: ${msg}`);
}

function isCount(x: unknown): x is number {
  return typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
}

/**
 * Opens a safetensors file: the header is read and checked now (dtypes, shapes, offsets in
 * bounds, byte sizes that match dtype × shape, no overlaps); tensors are read on demand.
 *
 * @example
 * const ckpt = openSafetensors(bytesSource(bytes));
 * const w = ckpt.entries.get('head.weight')!.tensor();
 */
export function openSafetensors(src: ByteSource): Checkpoint {
  if (src.size < 8) throw new CheckpointError('CHECKPOINT_TRUNCATED', `safetensors: ${src.size} bytes, too short for the 8-byte header length`);
  const n = new DataView(src.read(0, 8).slice().buffer).getBigUint64(0, true);
  if (n > BigInt(MAX_SAFETENSORS_HEADER)) {
    throw new CheckpointError('CHECKPOINT_LIMIT', `safetensors: header of ${n} bytes exceeds the ${MAX_SAFETENSORS_HEADER}-byte limit`);
  }
  const headerLen = Number(n);
  if (8 + headerLen > src.size) {
    throw new CheckpointError('CHECKPOINT_TRUNCATED', `safetensors: header of ${headerLen} bytes, but only ${src.size - 8} follow`);
  }
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(src.read(8, headerLen)));
  } catch (err) {
    throw new CheckpointError('CHECKPOINT_BAD_HEADER', `safetensors: header is not UTF-8 JSON (${(err as Error).message})`, { cause: err });
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw header('header is not a JSON object');
  const base = 8 + headerLen;
  const dataSize = src.size - base;
  let metadata: Record<string, string> | undefined;
  const spans: { name: string; begin: number; end: number }[] = [];
  const entries = new Map<string, TensorEntry>();
  for (const [name, info] of Object.entries(json as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof info !== 'object' || info === null || !Object.values(info).every((v) => typeof v === 'string')) {
        throw header('__metadata__ is not a map of strings');
      }
      metadata = { ...(info as Record<string, string>) };
      continue;
    }
    const e = info as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof e !== 'object' || e === null) throw header(`${name}: entry is not an object`);
    const dtype = typeof e.dtype === 'string' ? SAFETENSORS_DTYPES[e.dtype] : undefined;
    if (!dtype) throw new CheckpointError('CHECKPOINT_UNSUPPORTED_DTYPE', `safetensors: ${name}: dtype ${JSON.stringify(e.dtype)} is not supported`);
    if (!Array.isArray(e.shape) || !e.shape.every(isCount)) throw header(`${name}: shape ${JSON.stringify(e.shape)} is not a list of sizes`);
    const offs = e.data_offsets;
    if (!Array.isArray(offs) || offs.length !== 2 || !offs.every(isCount) || offs[1] < offs[0]) {
      throw header(`${name}: data_offsets ${JSON.stringify(offs)} is not [begin, end]`);
    }
    const [begin, end] = offs as [number, number];
    const shape = e.shape as number[];
    const bytes = numel(shape) * ELEMENT_SIZE[dtype];
    if (end - begin !== bytes) {
      throw new CheckpointError('CHECKPOINT_BAD_OFFSETS', `safetensors: ${name}: ${dtype} ${JSON.stringify(shape)} needs ${bytes} bytes, data_offsets [${begin}, ${end}] span ${end - begin}`);
    }
    if (end > dataSize) {
      throw new CheckpointError('CHECKPOINT_BAD_OFFSETS', `safetensors: ${name}: data_offsets end at ${end}, the data section has ${dataSize} bytes`);
    }
    spans.push({ name, begin, end });
    entries.set(name, stridedEntry({
      name, source: src, storageByteOffset: () => base + begin, storageNumel: numel(shape), dtype, shape,
      strides: contiguousStrides(shape), storageOffset: 0,
    }));
  }
  spans.sort((a, b) => a.begin - b.begin || a.end - b.end);
  for (let i = 1; i < spans.length; i++) {
    const [a, b] = [spans[i - 1], spans[i]];
    if (b.begin < a.end) {
      throw new CheckpointError('CHECKPOINT_BAD_OFFSETS', `safetensors: ${b.name} [${b.begin}, ${b.end}] overlaps ${a.name} [${a.begin}, ${a.end}]`);
    }
  }
  return makeCheckpoint('safetensors', src, entries, metadata ? { metadata } : {});
}
