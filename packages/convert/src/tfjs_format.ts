// The tfjs web format for our models: `model.json` (the ViT config plus a weightsManifest in
// tfjs-converter's layout) and binary shards of at most 4 MiB. Weights keep timm's keys and layouts.
import * as tf from '@tensorflow/tfjs-core';
import { GELU, LayerNorm } from '@tfjs-vit/layers';
import type { VisionTransformer, VisionTransformerOptions, ViTConfig } from '@tfjs-vit/models';
import { ArgumentError, TfjsVitError } from '@tfjs-vit/ops';
import { floatToHalf } from './dtypes';

/** tfjs-converter's default shard size: 4 MiB (`toTfjsArtifacts(model, { shardBytes: DEFAULT_SHARD_BYTES })`). */
export const DEFAULT_SHARD_BYTES = 4 * 1024 * 1024;

/** The `format` field of our model.json (`modelJson.format === TFJS_VIT_FORMAT`). */
export const TFJS_VIT_FORMAT = 'tfjs-vit';

/** One weight of a tfjs weightsManifest group (tfjs-core's `WeightsManifestEntry`). */
export interface TfjsWeightSpec {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32' | 'bool';
  /** Present when stored quantised; tfjs-converter writes `{dtype: 'float16', original_dtype: 'float32'}`. */
  quantization?: { dtype: 'float16' | 'uint8' | 'uint16'; scale?: number; min?: number; original_dtype?: string };
}

/** One group of a weightsManifest: shard file names and the weights laid out across them in order. */
export interface TfjsWeightGroup {
  paths: string[];
  weights: TfjsWeightSpec[];
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
}

/** Options of {@link toTfjsArtifacts} and `saveTfjsModel`. */
export interface TfjsSaveOptions {
  /** Storage of float weights: 'float32' (default) or 'float16' (tfjs' float16 quantisation). */
  dtype?: 'float32' | 'float16';
  /** Largest shard in bytes (default 4 MiB, as tfjs-converter). */
  shardBytes?: number;
  /** Shard file prefix (default 'group1'); files are `group1-shard1of3.bin`, …. */
  groupName?: string;
}

/** model.json and its shards, in memory. */
export interface TfjsArtifacts {
  modelJson: TfjsModelJson;
  shards: Uint8Array[];
}

/**
 * A model.json or its shards are not what our loader expects (code `TFJS_FORMAT`).
 *
 * @example
 * ```ts
 * try { await loadModel('web/vit'); } catch (e) { if (e instanceof TfjsFormatError) console.error(e.message); }
 * ```
 */
export class TfjsFormatError extends TfjsVitError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('TFJS_FORMAT', message, options);
  }
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

/**
 * The ViTConfig that rebuilds `model` with createViT (resolved values, `useFcNorm` as `fcNorm`).
 *
 * @example
 * ```ts
 * const twin = createViT(configOf(model)); // same architecture, new weights
 * ```
 */
export function configOf(model: VisionTransformer): ViTConfig {
  const { useFcNorm, ...rest } = model.config;
  return { ...rest, fcNorm: useFcNorm };
}

function encodeValues(t: tf.Tensor, half: boolean): { spec: Omit<TfjsWeightSpec, 'name'>; bytes: Uint8Array } {
  const values = t.dataSync();
  const shape = [...t.shape];
  if (t.dtype === 'float32' && half) {
    const h = new Uint16Array(values.length);
    for (let i = 0; i < values.length; i++) h[i] = floatToHalf(values[i] as number);
    return { spec: { shape, dtype: 'float32', quantization: { dtype: 'float16', original_dtype: 'float32' } }, bytes: new Uint8Array(h.buffer) };
  }
  if (t.dtype === 'float32' || t.dtype === 'int32') {
    const typed = values as Float32Array | Int32Array;
    return { spec: { shape, dtype: t.dtype }, bytes: new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength) };
  }
  if (t.dtype === 'bool') return { spec: { shape, dtype: 'bool' }, bytes: Uint8Array.from(values as Uint8Array, (v) => (v ? 1 : 0)) };
  throw new ArgumentError(`toTfjsArtifacts: dtype ${t.dtype} is not supported (float32, int32, bool)`);
}

/** Splits `total` bytes into shards of at most `shardBytes`, filled by `chunks` in order. */
class ShardWriter {
  readonly shards: Uint8Array[] = [];
  private current: Uint8Array;
  private at = 0;
  private remaining: number;
  constructor(private readonly total: number, private readonly shardBytes: number) {
    this.remaining = total;
    this.current = this.next();
  }
  private next(): Uint8Array {
    const size = Math.min(this.shardBytes, this.remaining);
    this.remaining -= size;
    this.at = 0;
    const s = new Uint8Array(size);
    if (size > 0) this.shards.push(s);
    return s;
  }
  write(bytes: Uint8Array): void {
    let from = 0;
    while (from < bytes.length) {
      if (this.at === this.current.length) this.current = this.next();
      const n = Math.min(bytes.length - from, this.current.length - this.at);
      this.current.set(bytes.subarray(from, from + n), this.at);
      this.at += n;
      from += n;
    }
  }
}

/**
 * model.json and its binary shards in memory (no file system): what `saveTfjsModel` writes and
 * what `loadModel` / {@link fromTfjsArtifacts} read. Weights are the model's state dict (timm keys
 * and layouts), in one group, concatenated and cut into shards of at most `shardBytes`.
 *
 * @example
 * ```ts
 * const { modelJson, shards } = toTfjsArtifacts(createViT({ depth: 2 }), { dtype: 'float16' });
 * modelJson.weightsManifest[0].paths; // ['group1-shard1of3.bin', 'group1-shard2of3.bin', 'group1-shard3of3.bin']
 * ```
 */
export function toTfjsArtifacts(model: VisionTransformer, options: TfjsSaveOptions = {}): TfjsArtifacts {
  const shardBytes = options.shardBytes ?? DEFAULT_SHARD_BYTES;
  if (!(Number.isInteger(shardBytes) && shardBytes > 0)) throw new ArgumentError(`toTfjsArtifacts: shardBytes must be a positive integer, got ${shardBytes}`);
  const dtype = options.dtype ?? 'float32';
  if (dtype !== 'float32' && dtype !== 'float16') throw new ArgumentError(`toTfjsArtifacts: dtype must be 'float32' or 'float16', got '${String(dtype)}'`);
  const group = options.groupName ?? 'group1';
  const dict = model.stateDict();
  try {
    const encoded: { name: string; spec: Omit<TfjsWeightSpec, 'name'>; bytes: Uint8Array }[] = [];
    for (const [name, t] of dict) encoded.push({ name, ...encodeValues(t, dtype === 'float16') });
    const total = encoded.reduce((n, e) => n + e.bytes.length, 0);
    const writer = new ShardWriter(total, shardBytes);
    for (const e of encoded) writer.write(e.bytes);
    const n = writer.shards.length;
    const paths = writer.shards.map((_, i) => `${group}-shard${i + 1}of${n}.bin`);
    const weights = encoded.map((e) => ({ name: e.name, ...e.spec }));
    return {
      modelJson: { format: TFJS_VIT_FORMAT, generatedBy: '@tfjs-vit/convert', architecture: 'VisionTransformer', config: configOf(model), ...partsOf(model), weightsManifest: [{ paths, weights }] },
      shards: writer.shards,
    };
  } finally {
    tf.dispose([...dict.values()]);
  }
}

/**
 * Checks that `json` is one of our model.json files and returns it typed.
 *
 * @example
 * ```ts
 * const modelJson = parseTfjsModelJson(JSON.parse(text));
 * ```
 */
export function parseTfjsModelJson(json: unknown): TfjsModelJson {
  const j = json as Partial<TfjsModelJson> | null;
  if (!j || typeof j !== 'object') throw new TfjsFormatError(`model.json: expected an object, got ${json === null ? 'null' : typeof json}`);
  if (j.format !== TFJS_VIT_FORMAT) throw new TfjsFormatError(`model.json: expected format "${TFJS_VIT_FORMAT}", got ${JSON.stringify(j.format)}`);
  if (j.architecture !== 'VisionTransformer') throw new TfjsFormatError(`model.json: unknown architecture ${JSON.stringify(j.architecture)}`);
  if (!j.config || typeof j.config !== 'object') throw new TfjsFormatError('model.json: missing "config"');
  if (!Array.isArray(j.weightsManifest)) throw new TfjsFormatError('model.json: missing "weightsManifest"');
  for (const g of j.weightsManifest) {
    if (!Array.isArray(g?.paths) || !Array.isArray(g?.weights)) throw new TfjsFormatError('model.json: each weightsManifest group needs "paths" and "weights"');
  }
  return j as TfjsModelJson;
}

/** Bytes a group's weights take in its shards. */
function groupBytes(group: TfjsWeightGroup): number {
  let n = 0;
  for (const w of group.weights) {
    const size = w.shape.reduce((a, b) => a * b, 1);
    const per = w.quantization ? (w.quantization.dtype === 'uint8' ? 1 : 2) : w.dtype === 'bool' ? 1 : 4;
    n += size * per;
  }
  return n;
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
  const buffers = shards.map((s) => (s.byteOffset === 0 && s.byteLength === s.buffer.byteLength ? (s.buffer as ArrayBuffer) : s.slice().buffer));
  const named = tf.io.decodeWeights(buffers, group.weights as tf.io.WeightsManifestEntry[]);
  return new Map(Object.entries(named));
}
