// The tfjs web format for our models: `model.json` (the ViT config plus a weightsManifest in
// tfjs-converter's layout) and binary shards of at most 4 MiB. Weights keep timm's keys and layouts.
import * as tf from '@tensorflow/tfjs-core';
import { GELU, LayerNorm, QuickGELU } from '@tfjs-vit/layers';
import type { ActLayerName, VisionTransformer, VisionTransformerOptions, ViTConfig } from '@tfjs-vit/models';
import { ArgumentError } from '@tfjs-vit/ops';
import { encodeModelMeta, MODEL_META_KEY, type ModelMeta, readModelMeta } from './checkpoint_meta';
import { crc32, hexCrc as hex } from './crc32';
import { floatToHalf } from './dtypes';
import { checkModelJson, type ModelJsonCheckOptions } from './model_json_check';
import { TfjsFormatError } from './tfjs_format_error';

export { TfjsFormatError };

/** tfjs-converter's default shard size: 4 MiB (`toTfjsArtifacts(model, { shardBytes: DEFAULT_SHARD_BYTES })`). */
export const DEFAULT_SHARD_BYTES = 4 * 1024 * 1024;

/** The `format` field of our model.json (`modelJson.format === TFJS_VIT_FORMAT`). */
export const TFJS_VIT_FORMAT = 'tfjs-vit';

/** One weight of a tfjs weightsManifest group (tfjs-core's `WeightsManifestEntry`). */
export interface TfjsWeightSpec {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32' | 'bool';
  /** Present when stored quantised: `{dtype: 'float16', original_dtype: 'float32'}` or `{dtype: 'uint8', scale, min, original_dtype: 'float32'}`, as tfjs-converter writes them. */
  quantization?: { dtype: 'float16' | 'uint8' | 'uint16'; scale?: number; min?: number; original_dtype?: string };
}

/** One group of a weightsManifest: shard file names and the weights laid out across them in order. */
export interface TfjsWeightGroup {
  paths: string[];
  weights: TfjsWeightSpec[];
  /**
   * CRC-32 of each shard, in `paths` order (our extension; tfjs ignores it). The loaders check it,
   * so a corrupt or truncated download is an error, and it keys `loadModel`'s shard cache.
   */
  crc32?: number[];
}

/** Our `model.json`: tfjs-converter's shape (`format`, `generatedBy`, `weightsManifest`) plus the ViT config. */
export interface TfjsModelJson {
  format: typeof TFJS_VIT_FORMAT;
  generatedBy: string;
  /** Which builder rebuilds the architecture (only `'VisionTransformer'`, via `createViT`). */
  architecture: 'VisionTransformer';
  /** `createViT(config)` builds the architecture. */
  config: ViTConfig;
  /** LayerNorm eps when not timm's 1e-6 (Hugging Face checkpoints use 1e-12). */
  layerNormEps?: number;
  /** 'tanh' when the MLPs use the tanh approximation of GELU. */
  geluApproximate?: 'tanh';
  weightsManifest: TfjsWeightGroup[];
  /** What the model records about itself (registry name, preprocessing, class names), as in a safetensors file's metadata. */
  meta?: ModelMeta;
}

/** How {@link toTfjsArtifacts} stores float weights. */
export type TfjsWeightDType = 'float32' | 'float16' | 'uint8';

/** The storage dtypes {@link toTfjsArtifacts} writes. */
export const TFJS_WEIGHT_DTYPES: readonly TfjsWeightDType[] = ['float32', 'float16', 'uint8'];

/** Options of {@link toTfjsArtifacts} and `saveTfjsModel`. */
export interface TfjsSaveOptions {
  /**
   * Storage of float weights: 'float32' (default), 'float16' (tfjs' float16 quantisation, half the
   * bytes) or 'uint8' (tfjs' affine uint8 quantisation per tensor, a quarter of the bytes and a
   * larger error: see docs/timm-to-browser.md for what it costs in logits).
   */
  dtype?: TfjsWeightDType;
  /** Largest shard in bytes (default 4 MiB, as tfjs-converter). */
  shardBytes?: number;
  /** Shard file prefix (default 'group1'); files are `group1-shard1of3.bin`, …. */
  groupName?: string;
  /** Recorded in model.json as `meta` (validated as `encodeModelMeta` does), so a page gets the labels and preprocessing with the weights. */
  meta?: ModelMeta;
}

/** model.json and its shards, in memory. */
export interface TfjsArtifacts {
  modelJson: TfjsModelJson;
  shards: Uint8Array[];
}

/** The parts a plain config does not carry: LayerNorm eps and the GELU flavour, read from block 0. */
function partsOf(model: VisionTransformer): Pick<TfjsModelJson, 'layerNormEps' | 'geluApproximate'> {
  const blk = model.blocks.length ? (model.blocks.at(0) as { norm1?: unknown; mlp?: { act?: unknown } }) : null;
  const out: Pick<TfjsModelJson, 'layerNormEps' | 'geluApproximate'> = {};
  const eps = (blk?.norm1 as LayerNorm | undefined)?.eps;
  if (blk?.norm1 instanceof LayerNorm && eps !== 1e-6) out.layerNormEps = eps;
  if (blk?.mlp?.act instanceof GELU && blk.mlp.act.approximate === 'tanh') out.geluApproximate = 'tanh';
  return out;
}

/**
 * The createViT options that rebuild a model from its model.json (config plus norm/act parts).
 *
 * @example
 * ```ts
 * const model = createViT(optionsOf(modelJson)); // architecture only, random weights
 * ```
 */
export function optionsOf(modelJson: TfjsModelJson): VisionTransformerOptions {
  const opts: VisionTransformerOptions = { ...modelJson.config };
  const eps = modelJson.layerNormEps;
  if (eps !== undefined) opts.normLayer = (d: number) => new LayerNorm(d, { eps });
  if (modelJson.geluApproximate === 'tanh') opts.actLayer = () => new GELU({ approximate: 'tanh' });
  return opts;
}

/** The activation's name, from block 0's MLP when the model was built with a factory. */
function actNameOf(model: VisionTransformer, recorded: ActLayerName | 'custom'): ActLayerName | undefined {
  if (recorded !== 'custom') return recorded;
  const act = model.blocks.length ? (model.blocks.at(0) as { mlp?: { act?: unknown } }).mlp?.act : undefined;
  if (act instanceof QuickGELU) return 'quick_gelu';
  if (act instanceof GELU) return act.approximate === 'tanh' ? 'gelu_tanh' : 'gelu';
  return undefined; // a user's own activation: not expressible as a config
}

/**
 * The ViTConfig that rebuilds `model` with createViT (resolved values, `useFcNorm` as `fcNorm`, a
 * factory-made GELU/QuickGELU as its `actLayer` name).
 *
 * @example
 * ```ts
 * const twin = createViT(configOf(model)); // same architecture, new weights
 * ```
 */
export function configOf(model: VisionTransformer): ViTConfig {
  const { useFcNorm, actLayer, ...rest } = model.config;
  const act = actNameOf(model, actLayer);
  return { ...rest, fcNorm: useFcNorm, ...(act ? { actLayer: act } : {}) };
}

/**
 * tfjs-converter's affine uint8 quantisation of one tensor: the range is widened to hold 0 and
 * nudged so that 0 is exactly representable (zero biases and padding stay zero); `tf.io.decodeWeights`
 * dequantises `q` as `q * scale + min`.
 */
function quantizeUint8(values: Float32Array): { bytes: Uint8Array; scale: number; min: number } {
  let lo = 0;
  let hi = 0;
  for (const v of values) {
    if (!Number.isFinite(v)) throw new ArgumentError(`toTfjsArtifacts: cannot quantise a non-finite weight (${v}) to uint8`);
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const scale = hi > lo ? (hi - lo) / 255 : 1;
  const min = -Math.round(-lo / scale) * scale;
  const bytes = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) bytes[i] = Math.min(255, Math.max(0, Math.round(((values[i] as number) - min) / scale)));
  return { bytes, scale, min };
}

function encodeValues(t: tf.Tensor, dtype: TfjsWeightDType): { spec: Omit<TfjsWeightSpec, 'name'>; bytes: Uint8Array } {
  const values = t.dataSync();
  const shape = [...t.shape];
  if (t.dtype === 'float32' && dtype === 'float16') {
    const h = new Uint16Array(values.length);
    for (let i = 0; i < values.length; i++) h[i] = floatToHalf(values[i] as number);
    return { spec: { shape, dtype: 'float32', quantization: { dtype: 'float16', original_dtype: 'float32' } }, bytes: new Uint8Array(h.buffer) };
  }
  if (t.dtype === 'float32' && dtype === 'uint8') {
    const { bytes, scale, min } = quantizeUint8(values as Float32Array);
    return { spec: { shape, dtype: 'float32', quantization: { dtype: 'uint8', scale, min, original_dtype: 'float32' } }, bytes };
  }
  if (t.dtype === 'float32' || t.dtype === 'int32') {
    const typed = values as Float32Array | Int32Array;
    return { spec: { shape, dtype: t.dtype }, bytes: new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength) };
  }
  if (t.dtype === 'bool') return { spec: { shape, dtype: 'bool' }, bytes: Uint8Array.from(values as Uint8Array, (v) => (v ? 1 : 0)) };
  throw new ArgumentError(`toTfjsArtifacts: dtype ${t.dtype} is not supported (float32, int32, bool)`);
}

/** Cuts a stream of bytes into shards of at most `shardBytes`; each full shard goes to `emit`. */
class ShardWriter {
  private current: Uint8Array;
  private at = 0;
  private index = 0;
  private remaining: number;
  constructor(total: number, private readonly shardBytes: number, private readonly emit: (index: number, shard: Uint8Array) => void) {
    this.remaining = total;
    this.current = this.next();
  }
  private next(): Uint8Array {
    const size = Math.min(this.shardBytes, this.remaining);
    this.remaining -= size;
    this.at = 0;
    return new Uint8Array(size);
  }
  write(bytes: Uint8Array): void {
    let from = 0;
    while (from < bytes.length) {
      const n = Math.min(bytes.length - from, this.current.length - this.at);
      this.current.set(bytes.subarray(from, from + n), this.at);
      this.at += n;
      from += n;
      if (this.at === this.current.length) {
        this.emit(this.index++, this.current);
        this.current = this.next();
      }
    }
  }
}

function bytesPer(dtype: string, storage: TfjsWeightDType): number {
  if (dtype === 'float32') return storage === 'float16' ? 2 : storage === 'uint8' ? 1 : 4;
  if (dtype === 'int32') return 4;
  if (dtype === 'bool') return 1;
  throw new ArgumentError(`toTfjsArtifacts: dtype ${dtype} is not supported (float32, int32, bool)`);
}

/**
 * Streams `model`'s weights into shards: model.json is planned from the parameter shapes first, then
 * each parameter is converted to timm's layout, encoded and copied into the current shard, and each
 * full shard is handed to `emit(index, bytes, count, fileName)` — so memory stays near one shard plus one weight.
 * Returns model.json. `toTfjsArtifacts` and `saveTfjsModel` are built on it.
 *
 * @example
 * ```ts
 * const modelJson = writeTfjsShards(model, {}, (i, bytes) => chunks.push(bytes));
 * ```
 */
export function writeTfjsShards(model: VisionTransformer, options: TfjsSaveOptions, emit: (index: number, shard: Uint8Array, count: number, path: string) => void): TfjsModelJson {
  if (options.meta) encodeModelMeta(options.meta); // throws on a bad field before any work
  const shardBytes = options.shardBytes ?? DEFAULT_SHARD_BYTES;
  if (!(Number.isInteger(shardBytes) && shardBytes > 0)) throw new ArgumentError(`toTfjsArtifacts: shardBytes must be a positive integer, got ${shardBytes}`);
  const dtype = options.dtype ?? 'float32';
  if (!TFJS_WEIGHT_DTYPES.includes(dtype)) throw new ArgumentError(`toTfjsArtifacts: dtype must be one of ${TFJS_WEIGHT_DTYPES.join(', ')}, got '${String(dtype)}'`);
  const group = options.groupName ?? 'group1';
  const params = model.namedParameters('', { includeBuffers: true });
  const total = params.reduce((n, [, p]) => n + p.stateShape.reduce((a, b) => a * b, 1) * bytesPer(p.value.dtype, dtype), 0);
  const count = Math.ceil(total / shardBytes);
  const paths = Array.from({ length: count }, (_, i) => `${group}-shard${i + 1}of${count}.bin`);
  const checks: number[] = [];
  const writer = new ShardWriter(total, shardBytes, (i, shard) => {
    checks.push(crc32(shard));
    emit(i, shard, count, paths[i]);
  });
  const weights: TfjsWeightSpec[] = [];
  for (const [name, p] of params) {
    const t = tf.tidy(() => p.layout.toState(p.variable));
    try {
      const { spec, bytes } = encodeValues(t, dtype);
      weights.push({ name, ...spec });
      writer.write(bytes);
    } finally {
      t.dispose();
    }
  }
  const meta = options.meta ? { meta: metaOf(options.meta) } : {};
  return { format: TFJS_VIT_FORMAT, generatedBy: '@tfjs-vit/convert', architecture: 'VisionTransformer', config: configOf(model), ...partsOf(model), weightsManifest: [{ paths, weights, crc32: checks }], ...meta };
}

/**
 * model.json and its binary shards in memory (no file system): what `saveTfjsModel` writes and
 * what `loadModel` / {@link fromTfjsArtifacts} read. Weights are the model's state dict (timm keys
 * and layouts), in one group, concatenated and cut into shards of at most `shardBytes`.
 * The config and, when not the defaults, LayerNorm eps and tanh GELU are recorded (other custom
 * parts — hybrid embeddings, SwiGLU — are not: strict loading then fails on their keys).
 *
 * @example
 * ```ts
 * const { modelJson, shards } = toTfjsArtifacts(createViT({ depth: 2 }), { dtype: 'float16' });
 * modelJson.weightsManifest[0].paths; // ['group1-shard1of3.bin', 'group1-shard2of3.bin', 'group1-shard3of3.bin']
 * ```
 */
export function toTfjsArtifacts(model: VisionTransformer, options: TfjsSaveOptions = {}): TfjsArtifacts {
  const shards: Uint8Array[] = [];
  const modelJson = writeTfjsShards(model, options, (_, shard) => shards.push(shard));
  return { modelJson, shards };
}

/**
 * Checks that `json` is one of our model.json files — every config field, every weight entry, and a
 * parameter count that matches the config (at most `options.maxParameters`) — and returns it typed.
 * Nothing is allocated; a bad field is a TfjsFormatError naming its path.
 *
 * @example
 * ```ts
 * const modelJson = parseTfjsModelJson(JSON.parse(text));
 * ```
 */
export function parseTfjsModelJson(json: unknown, options: ModelJsonCheckOptions = {}): TfjsModelJson {
  const j = json as Partial<TfjsModelJson> | null;
  if (!j || typeof j !== 'object') throw new TfjsFormatError(`model.json: expected an object, got ${json === null ? 'null' : typeof json}`);
  if (j.format !== TFJS_VIT_FORMAT) throw new TfjsFormatError(`model.json: expected format "${TFJS_VIT_FORMAT}", got ${JSON.stringify(j.format)?.slice(0, 60)}`);
  if (j.architecture !== 'VisionTransformer') throw new TfjsFormatError(`model.json: unknown architecture ${JSON.stringify(j.architecture)?.slice(0, 60)}`);
  if (!j.config || typeof j.config !== 'object') throw new TfjsFormatError('model.json: missing "config"');
  if (!Array.isArray(j.weightsManifest)) throw new TfjsFormatError('model.json: missing "weightsManifest"');
  checkModelJson(j, options);
  if (j.meta !== undefined) return { ...(j as TfjsModelJson), meta: metaOf(j.meta) };
  return j as TfjsModelJson;
}

/**
 * Throws TfjsFormatError when shard `index` of `group` does not have the CRC-32 model.json records
 * (a corrupt or truncated file, or a shard of another model). Groups without `crc32` pass.
 *
 * @example
 * ```ts
 * checkShard(modelJson.weightsManifest[0], 0, bytes);
 * ```
 */
export function checkShard(group: TfjsWeightGroup, index: number, bytes: Uint8Array): void {
  const want = group.crc32?.[index];
  if (want === undefined) return;
  const got = crc32(bytes);
  if (got !== want) {
    throw new TfjsFormatError(`weightsManifest: shard ${group.paths[index]} is corrupt: CRC-32 ${hex(got)}, model.json records ${hex(want)} (${bytes.length} bytes read)`);
  }
}


/** `meta` checked and normalised as a safetensors file's metadata is; a bad field is a TfjsFormatError naming it. */
function metaOf(meta: unknown): ModelMeta {
  try {
    return readModelMeta({ [MODEL_META_KEY]: JSON.stringify(meta) }) ?? {};
  } catch (e) {
    throw new TfjsFormatError(`model.json: ${(e as Error).message.replace(`__metadata__["${MODEL_META_KEY}"]`, 'meta')}`, { cause: e });
  }
}

/** @internal Bytes one manifest weight takes in its shards (its storage dtype, quantised or not). */
export function weightBytes(w: TfjsWeightSpec): number {
  const per = w.quantization ? (w.quantization.dtype === 'uint8' ? 1 : 2) : w.dtype === 'bool' ? 1 : 4;
  return w.shape.reduce((a, b) => a * b, 1) * per;
}

/** @internal Bytes a group's weights take in its shards. */
export function groupBytes(group: TfjsWeightGroup): number {
  return group.weights.reduce((n, w) => n + weightBytes(w), 0);
}

/**
 * Decodes one manifest group from its shards (in `paths` order) into tensors, dequantising float16
 * as tfjs does (`tf.io.decodeWeights`). The caller owns the tensors.
 *
 * @example
 * ```ts
 * const tensors = decodeTfjsGroup(modelJson.weightsManifest[0], shards);
 * ```
 */
export function decodeTfjsGroup(group: TfjsWeightGroup, shards: readonly Uint8Array[]): Map<string, tf.Tensor> {
  if (shards.length !== group.paths.length) throw new TfjsFormatError(`weightsManifest: expected ${group.paths.length} shards, got ${shards.length}`);
  const size = shards.reduce((n, s) => n + s.length, 0);
  const need = groupBytes(group);
  if (size !== need) throw new TfjsFormatError(`weightsManifest: the weights need ${need} bytes, the shards ${group.paths.join(', ')} hold ${size}`);
  shards.forEach((s, i) => checkShard(group, i, s));
  const buffers = shards.map((s) => (s.byteOffset === 0 && s.byteLength === s.buffer.byteLength ? (s.buffer as ArrayBuffer) : s.slice().buffer));
  const named = tf.io.decodeWeights(buffers, group.weights as tf.io.WeightsManifestEntry[]);
  return new Map(Object.entries(named));
}
