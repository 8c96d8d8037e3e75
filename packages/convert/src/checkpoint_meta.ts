// What a checkpoint's shapes cannot say — the registered name, the number of heads, the
// preprocessing it was trained with, its class names — kept as one JSON string under the
// `tfjs-vit` key of a safetensors file's `__metadata__`. timm ignores the key; we read it back
// with every field checked, since the file may come from anyone.
import { CheckpointError } from './errors';

/** The `__metadata__` key {@link encodeModelMeta} writes and {@link readModelMeta} reads. */
export const MODEL_META_KEY = 'tfjs-vit';

/** The preprocessing recorded with a model (the fields of timm's data config). */
export interface ModelMetaDataConfig {
  /** `[channels, height, width]`. */
  inputSize?: number[];
  interpolation?: string;
  mean?: number[];
  std?: number[];
  cropPct?: number;
  cropMode?: string;
}

/** Facts about a model that its weights' shapes do not carry. */
export interface ModelMeta {
  /** The registered architecture it was built as (`'vit_base_patch16_224'`). */
  model?: string;
  /** Attention heads per block (not in any weight's shape). */
  numHeads?: number;
  /** The preprocessing it was trained with. */
  dataConfig?: ModelMetaDataConfig;
  /** One name per output class, in index order. */
  labels?: string[];
}

const MAX_LABELS = 1_000_000;
const MAX_NAME = 1_000;

function bad(field: string, what: string): CheckpointError {
  return new CheckpointError('CHECKPOINT_BAD_HEADER', `__metadata__["${MODEL_META_KEY}"].${field}: ${what}`);
}

function text(field: string, v: unknown, max = MAX_NAME): string {
  if (typeof v !== 'string' || v.length > max) throw bad(field, `expected a string of at most ${max} characters, got ${typeof v === 'string' ? `${v.length} characters` : typeof v}`);
  return v;
}

function numbers(field: string, v: unknown, length?: number): number[] {
  if (!Array.isArray(v) || v.length === 0 || v.length > 16 || (length !== undefined && v.length !== length) || !v.every((x) => typeof x === 'number' && Number.isFinite(x))) {
    throw bad(field, `expected ${length ?? '1 to 16'} finite numbers, got ${JSON.stringify(v)?.slice(0, 80)}`);
  }
  return v as number[];
}

function dataConfigOf(v: unknown): ModelMetaDataConfig {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw bad('dataConfig', 'expected an object');
  const o = v as Record<string, unknown>;
  const out: ModelMetaDataConfig = {};
  if (o.inputSize !== undefined) {
    const s = numbers('dataConfig.inputSize', o.inputSize, 3);
    if (!s.every((x) => Number.isInteger(x) && x > 0 && x <= 65536)) throw bad('dataConfig.inputSize', `expected positive integers, got [${s.join(', ')}]`);
    out.inputSize = s;
  }
  if (o.interpolation !== undefined) out.interpolation = text('dataConfig.interpolation', o.interpolation, 32);
  if (o.cropMode !== undefined) out.cropMode = text('dataConfig.cropMode', o.cropMode, 32);
  if (o.mean !== undefined) out.mean = numbers('dataConfig.mean', o.mean);
  if (o.std !== undefined) out.std = numbers('dataConfig.std', o.std);
  if (o.cropPct !== undefined) {
    if (typeof o.cropPct !== 'number' || !(o.cropPct > 0 && o.cropPct <= 16)) throw bad('dataConfig.cropPct', `expected a number in (0, 16], got ${JSON.stringify(o.cropPct)}`);
    out.cropPct = o.cropPct;
  }
  return out;
}

/**
 * The `__metadata__` entry that records `meta` — pass it to `saveSafetensors`' `metadata` along
 * with timm's `{ format: 'pt' }`.
 *
 * @example
 * ```ts
 * await saveSafetensors(model, 'flowers.safetensors', {
 *   metadata: { format: 'pt', ...encodeModelMeta({ numHeads: 3, labels: ['daisy', 'rose'] }) },
 * });
 * ```
 */
export function encodeModelMeta(meta: ModelMeta): Record<string, string> {
  const json = JSON.stringify(meta);
  readModelMeta({ [MODEL_META_KEY]: json }); // what we write must read back
  return { [MODEL_META_KEY]: json };
}

/**
 * The {@link ModelMeta} in a safetensors file's `__metadata__` strings, or null when it has none.
 * Unknown fields are ignored (a newer writer); a known field of the wrong kind or size is a
 * `CheckpointError` naming it.
 *
 * @example
 * ```ts
 * const ckpt = await openCheckpoint('flowers.safetensors');
 * const meta = readModelMeta(ckpt.meta.metadata); // { numHeads: 3, labels: ['daisy', 'rose'] }
 * ```
 */
export function readModelMeta(metadata: Readonly<Record<string, string>> | undefined): ModelMeta | null {
  const raw = metadata?.[MODEL_META_KEY];
  if (raw === undefined) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (err) {
    throw new CheckpointError('CHECKPOINT_BAD_HEADER', `__metadata__["${MODEL_META_KEY}"] is not JSON: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw bad('', 'expected an object');
  const o = parsed as Record<string, unknown>;
  const meta: ModelMeta = {};
  if (o.model !== undefined) meta.model = text('model', o.model, 200);
  if (o.numHeads !== undefined) {
    if (!Number.isInteger(o.numHeads) || (o.numHeads as number) < 1 || (o.numHeads as number) > 4096) throw bad('numHeads', `expected an integer in [1, 4096], got ${JSON.stringify(o.numHeads)}`);
    meta.numHeads = o.numHeads as number;
  }
  if (o.dataConfig !== undefined) meta.dataConfig = dataConfigOf(o.dataConfig);
  if (o.labels !== undefined) {
    if (!Array.isArray(o.labels) || o.labels.length > MAX_LABELS) throw bad('labels', `expected an array of at most ${MAX_LABELS} strings`);
    meta.labels = o.labels.map((l, i) => text(`labels[${i}]`, l));
  }
  return meta;
}
