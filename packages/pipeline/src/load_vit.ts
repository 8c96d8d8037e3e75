// From "some weights" to a ready VisionTransformer and its name: a timm / torchvision / HF / JAX
// checkpoint (path or bytes), the tfjs web format (directory, model.json or URL), or a model in
// memory. The registered name — given, in the file name, or matched from the inferred
// architecture — is what finds the pretrained preprocessing.
import {
  configOf, fromTimm, inferViTConfig, loadModelWithMeta, openTimmStateDict, readModelMeta, type FetchLike, type LoadModelOptions, type ModelMeta, type TimmLoadReport,
} from '@tfjs-vit/convert';
import {
  createModel, getPretrainedCfg, isModel, matchModels, VisionTransformer, type PretrainedCfg,
} from '@tfjs-vit/models';
import { importNode, TfjsVitError } from '@tfjs-vit/ops';

/** What {@link loadViT} accepts: a checkpoint path or URL, checkpoint bytes, or a built model. */
export type WeightsSource = string | Uint8Array | VisionTransformer;

/** Options of {@link loadViT}. */
export interface LoadViTOptions {
  /** A registered architecture (`'vit_base_patch16_224'`); default: inferred from the checkpoint. */
  model?: string;
  /** Heads, when no name is given and they cannot be inferred (they are not in a state dict's shapes). */
  numHeads?: number;
  /** Refuse missing / unexpected / mismatched keys (default true). */
  strict?: boolean;
  /** Load weights holding NaN or ±Inf instead of refusing them (`NonFiniteWeightError`; default false). */
  allowNonFinite?: boolean;
  /** Fetch for URLs of the tfjs web format (default the global fetch). */
  fetch?: FetchLike;
  /** A Cache API store for the tfjs web format's shards in a browser (`loadModel`'s `cache`). */
  cache?: string;
  /** Progress of the tfjs web format's files (`loadModel`'s `onProgress`). */
  onProgress?: LoadModelOptions['onProgress'];
}

/** How {@link loadViT} named the architecture. */
export type NameSource = 'given' | 'recorded' | 'file name' | 'matched' | 'none';

/** A loaded model and what is known about it. */
export interface LoadedViT {
  model: VisionTransformer;
  /** The registered name whose architecture this is, or null (a custom architecture). */
  modelName: string | null;
  nameSource: NameSource;
  /** That name's pretrained preprocessing, when it has one. */
  pretrainedCfg: PretrainedCfg | null;
  /** Where the weights came from: a checkpoint (`.pth`, `.safetensors`, `.npz`), the tfjs web format, or a model in memory. */
  format: 'checkpoint' | 'tfjs' | 'module';
  /** The checkpoint load report (null for the tfjs format and modules). */
  report: TimmLoadReport | null;
  /** What a safetensors file recorded about itself (heads, preprocessing, labels; `readModelMeta`), or null. */
  meta: ModelMeta | null;
  /** One line per assumption or conversion step worth telling the user. */
  notes: string[];
}

const isUrl = (s: string) => /^https?:\/\//i.test(s);

function isNode(): boolean {
  return typeof process !== 'undefined' && !!process.versions?.node;
}

async function kindOfPath(path: string): Promise<'tfjs' | 'checkpoint'> {
  if (isUrl(path) || /\.json([?#].*)?$/i.test(path)) return 'tfjs';
  if (!isNode()) return 'checkpoint';
  const fs = await importNode<typeof import('node:fs')>('node:fs');
  const { join } = await importNode<typeof import('node:path')>('node:path');
  let st;
  try {
    st = fs.statSync(path);
  } catch {
    throw new TfjsVitError('WEIGHTS_NOT_FOUND', `weights: no such file or directory: ${path}`);
  }
  if (st.isDirectory()) {
    if (fs.existsSync(join(path, 'model.json'))) return 'tfjs';
    throw new TfjsVitError('WEIGHTS_NOT_FOUND', `weights: ${path} is a directory without a model.json (expected a checkpoint file or a tfjs model directory)`);
  }
  if (st.size === 0) throw new TfjsVitError('WEIGHTS_EMPTY', `weights: ${path} is empty (0 bytes)`);
  return 'checkpoint';
}

/** The registered name a file name starts with (`vit_base_patch16_224.augreg2_in21k_ft_in1k.safetensors`). */
function nameInFileName(path: string): string | null {
  const base = path.split(/[\\/]/).pop() ?? '';
  const stem = base.split('.')[0];
  return stem && isModel(stem) ? stem : null;
}

function withCfg(name: string | null): PretrainedCfg | null {
  return name ? getPretrainedCfg(name) ?? null : null;
}

/**
 * Loads weights into a VisionTransformer and names its architecture. Checkpoints go through
 * `fromTimm` (timm, torchvision, Hugging Face or JAX layout; `.pth`, `.safetensors`, `.npz`);
 * without `model`, the architecture is inferred from the shapes and named after the registered
 * model it equals (preferring the one a safetensors file's metadata records, then one the file
 * name starts with), so its pretrained preprocessing applies; heads, preprocessing and labels the
 * metadata records ({@link readModelMeta}) come back in `meta`. Directories with a model.json, model.json paths and http(s) URLs load the tfjs web
 * format. The model is returned in eval mode.
 *
 * @example
 * ```ts
 * const { model, modelName, pretrainedCfg } = await loadViT('vit_small_patch16_224.augreg_in21k_ft_in1k.safetensors');
 * modelName;              // 'vit_small_patch16_224'
 * pretrainedCfg?.cropPct; // 0.9
 * ```
 */
export async function loadViT(weights: WeightsSource, options: LoadViTOptions = {}): Promise<LoadedViT> {
  const notes: string[] = [];
  if (options.model !== undefined && !isModel(options.model)) createModel(options.model); // throws UnknownModelError with the nearest names
  if (weights instanceof VisionTransformer) {
    const name = options.model ?? matchModels(configOf(weights))[0] ?? null;
    return { model: weights.eval(), modelName: name, nameSource: options.model ? 'given' : name ? 'matched' : 'none', pretrainedCfg: withCfg(name), format: 'module', report: null, meta: null, notes };
  }
  if (typeof weights === 'string' && (await kindOfPath(weights)) === 'tfjs') {
    const { model, meta } = await loadModelWithMeta(weights, { fetch: options.fetch, cache: options.cache, onProgress: options.onProgress, allowNonFinite: options.allowNonFinite });
    const recorded = meta?.model && isModel(meta.model) ? meta.model : null;
    const name = options.model ?? recorded ?? matchModels(configOf(model))[0] ?? null;
    if (name && !options.model && !recorded) notes.push(`architecture matches registered model ${name}: its pretrained preprocessing applies`);
    const nameSource: NameSource = options.model ? 'given' : recorded ? 'recorded' : name ? 'matched' : 'none';
    return { model, modelName: name, nameSource, pretrainedCfg: withCfg(name), format: 'tfjs', report: null, meta, notes };
  }

  let name: string | null = options.model ?? null;
  let nameSource: NameSource = name ? 'given' : 'none';
  let meta: ModelMeta | null;
  const stream = await openTimmStateDict(weights);
  try {
    meta = readModelMeta(stream.metadata);
    if (!name) {
      if (meta?.numHeads && !options.numHeads) notes.push(`numHeads ${meta.numHeads} recorded in the checkpoint's metadata`);
      const shapes = new Map([...stream.shapes].map(([k, shape]) => [k, { shape }]));
      const { config } = inferViTConfig(shapes, { numHeads: options.numHeads ?? stream.numHeads ?? meta?.numHeads });
      const matches = matchModels(config);
      const fromFile = typeof weights === 'string' ? nameInFileName(weights) : null;
      if (meta?.model && matches.includes(meta.model)) {
        name = meta.model;
        nameSource = 'recorded';
      } else if (fromFile && matches.includes(fromFile)) {
        name = fromFile;
        nameSource = 'file name';
      } else if (matches.length) {
        name = matches[0];
        nameSource = 'matched';
        if (fromFile) notes.push(`the file name says ${fromFile} but the shapes do not fit it`);
      }
      if (meta?.model && nameSource !== 'recorded') notes.push(`the metadata names ${meta.model} but the shapes do not fit it`);
      if (name) {
        const how = { recorded: 'named in the metadata, shapes fit', 'file name': 'named in the file name, shapes fit', matched: 'matched from the shapes' }[nameSource as 'recorded' | 'file name' | 'matched'];
        const also = matches.filter((m) => m !== name);
        notes.push(`architecture: registered model ${name} (${how}${also.length ? `; also fits ${also.slice(0, 3).join(', ')}` : ''})`);
      }
    }
  } finally {
    stream.close();
  }
  let report: TimmLoadReport | null = null;
  const model = await fromTimm(weights, {
    model: name ?? (options.numHeads ? { numHeads: options.numHeads } : undefined),
    strict: options.strict ?? true,
    allowNonFinite: options.allowNonFinite,
    onReport: (r) => (report = r),
  });
  const r = report as TimmLoadReport | null;
  if (r) notes.push(...r.notes);
  return { model: model.eval(), modelName: name, nameSource, pretrainedCfg: withCfg(name), format: 'checkpoint', report: r, meta, notes };
}
