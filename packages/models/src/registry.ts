// The model registry: names → (config, pretrained metadata, factory). Refuses duplicate names;
// the built-in ViT table (configs.ts) is registered on first use.
import type { Module } from '@tfjs-vit/layers';
import { ArgumentError, TfjsVitError } from '@tfjs-vit/ops';
import { VIT_MODELS, type PretrainedCfg } from './configs';
import { FAMILY_MODELS } from './family_configs';
import { HYBRID_MODELS } from './hybrid_configs';
import { parameterShapes } from './param_count';
import { createViT, type VisionTransformer, type VisionTransformerOptions } from './vision_transformer';
import type { ViTConfig } from './vit_config';

/** A name registered twice. */
export class DuplicateModelError extends TfjsVitError {
  constructor(name: string) {
    super('DUPLICATE_MODEL', `model "${name}" is already registered`);
  }
}

/** A name that is not registered; `suggestions` are the nearest registered names. */
export class UnknownModelError extends TfjsVitError {
  readonly suggestions: string[];
  constructor(name: string, suggestions: string[]) {
    const hint = suggestions.length ? `; did you mean ${suggestions.map((s) => `"${s}"`).join(', ')}?` : '';
    super('UNKNOWN_MODEL', `unknown model "${name}"${hint}`);
    this.suggestions = suggestions;
  }
}

/** Levenshtein distance (insert, delete, substitute: 1 each). */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}

/**
 * The registered names nearest to `name` (edit distance, ties by name): at most `n`, none further
 * than half the name's length or 2 edits beyond the nearest — what an unknown-name error suggests.
 *
 * @example
 * ```ts
 * nearestModels('vit_bsae_patch16_224'); // ['vit_base_patch16_224', …]
 * ```
 */
export function nearestModels(name: string, n = 5): string[] {
  const q = name.toLowerCase();
  const scored = listModels()
    .map((m) => ({ m, d: m.startsWith(q) && q.length >= 4 ? 0.5 : editDistance(q, m) }))
    .filter(({ d }) => d <= Math.max(3, q.length / 2))
    .sort((x, y) => x.d - y.d || (x.m < y.m ? -1 : 1));
  const best = scored[0]?.d ?? 0;
  return scored.filter(({ d }) => d <= best + 2).slice(0, n).map(({ m }) => m); // only the near ones
}

/** `createModel`'s overrides: ViT options, plus what a family's factory takes beyond them. */
export interface CreateModelOptions extends VisionTransformerOptions {
  /** Hybrids (`vit_*_r50_*`, `vit_*_r26_*`): ResNetV2 blocks per stage, as timm's `_resnetv2(layers)`. */
  backboneLayers?: readonly number[];
}

/** What `registerModel` takes: a ViT config (built with `createViT`) or your own factory, or both. */
export interface ModelRegistration<M extends Module = Module> {
  /** Architecture (timm kwargs, camelCased); overrides are merged over it. */
  config?: ViTConfig;
  /** Builds the model; default: `createViT({ ...config, ...overrides })`. */
  create?: (overrides: CreateModelOptions) => M;
  pretrainedCfg?: PretrainedCfg;
  /** Every parameter's key and shape; default `parameterShapes(config)` (give it when `create` builds more than a ViT). */
  parameterShapes?: () => Map<string, number[]>;
}

interface Entry {
  config?: ViTConfig;
  create: (overrides: CreateModelOptions) => Module;
  pretrainedCfg?: PretrainedCfg;
  parameterShapes?: () => Map<string, number[]>;
}

const entries = new Map<string, Entry>();
let builtinsLoaded = false;

function registry(): Map<string, Entry> {
  if (!builtinsLoaded) {
    builtinsLoaded = true;
    for (const [name, d] of Object.entries(VIT_MODELS)) add(name, d);
    for (const [name, d] of Object.entries(FAMILY_MODELS)) add(name, d);
    for (const [name, r] of Object.entries(HYBRID_MODELS)) add(name, r);
  }
  return entries;
}

function add(name: string, reg: ModelRegistration): void {
  if (entries.has(name)) throw new DuplicateModelError(name);
  const config = reg.config;
  const create = reg.create ?? ((overrides: CreateModelOptions) => {
    const { backboneLayers, ...rest } = overrides;
    if (backboneLayers) throw new ArgumentError(`model "${name}" has no CNN backbone: backboneLayers applies to the hybrid models only`);
    return createViT({ ...config, ...rest });
  });
  entries.set(name, { config, create, pretrainedCfg: reg.pretrainedCfg, parameterShapes: reg.parameterShapes });
}

/**
 * Registers a model under `name`; throws `DuplicateModelError` if the name is taken (built-ins
 * included).
 *
 * @example
 * ```ts
 * registerModel('vit_pico_patch4_32', { config: { imgSize: 32, patchSize: 4, embedDim: 64, depth: 4, numHeads: 2 } });
 * const m = createModel('vit_pico_patch4_32', { numClasses: 10 });
 * ```
 */
export function registerModel<M extends Module>(name: string, registration: ModelRegistration<M>): void {
  if (!name) throw new TfjsVitError('NAME', 'registerModel: empty name');
  registry();
  add(name, registration as ModelRegistration);
}

function entry(name: string): Entry {
  const e = registry().get(name);
  if (!e) {
    throw new UnknownModelError(name, nearestModels(name));
  }
  return e;
}

/**
 * Builds a registered model, with `overrides` (timm kwargs camelCased, or injectable parts) on
 * top of its config. Weights are freshly initialised (timm's init); load a checkpoint with
 * `model.loadStateDict`.
 *
 * @example
 * ```ts
 * const vit = createModel('vit_base_patch16_224', { numClasses: 5, dropPathRate: 0.1 });
 * const logits = vit.eval().forward(tf.zeros([1, 224, 224, 3])); // [1, 5]
 * ```
 */
export function createModel<M extends Module = VisionTransformer>(name: string, overrides: CreateModelOptions = {}): M {
  return entry(name).create(overrides) as M;
}

/**
 * Registered names, sorted, optionally filtered by glob pattern(s) (`*` any run, `?` one
 * character), as timm's `list_models`.
 *
 * @example
 * ```ts
 * listModels('vit_*_in21k');       // ['vit_base_patch16_224_in21k', …]
 * listModels(['*patch32*', '*14*']);
 * ```
 */
export function listModels(filter?: string | readonly string[]): string[] {
  const names = [...registry().keys()].sort();
  if (filter === undefined) return names;
  const patterns = (typeof filter === 'string' ? [filter] : filter).map(globToRegExp);
  return names.filter((n) => patterns.some((p) => p.test(n)));
}

/** Whether `name` is registered. */
export function isModel(name: string): boolean {
  return registry().has(name);
}

/**
 * The registered config of `name` (a copy), e.g. for `countParameters`.
 *
 * @example
 * ```ts
 * countParameters(getModelConfig('vit_large_patch16_224')); // 304_326_632
 * ```
 */
export function getModelConfig(name: string): ViTConfig {
  const c = entry(name).config;
  if (!c) throw new TfjsVitError('NO_CONFIG', `model "${name}" was registered without a ViT config`);
  return structuredClone(c) as ViTConfig;
}

/**
 * Every parameter's state-dict key and shape of the registered model `name` at its defaults (a
 * hybrid's backbone included), without building the transformer.
 *
 * @example
 * ```ts
 * modelParameterShapes('vit_base_r50_s16_384').get('patch_embed.backbone.stem.conv.weight'); // [64, 3, 7, 7]
 * ```
 */
export function modelParameterShapes(name: string): Map<string, number[]> {
  const e = entry(name);
  if (e.parameterShapes) return e.parameterShapes();
  if (!e.config) throw new TfjsVitError('NO_CONFIG', `model "${name}" was registered without a ViT config or parameter shapes`);
  return parameterShapes(e.config);
}

/**
 * The number of learnable scalars of the registered model `name` (timm's
 * `sum(p.numel() for p in model.parameters())`).
 *
 * @example
 * ```ts
 * countModelParameters('vit_base_patch16_224'); // 86_567_656
 * ```
 */
export function countModelParameters(name: string): number {
  let n = 0;
  for (const shape of modelParameterShapes(name).values()) n += shape.reduce((a, b) => a * b, 1);
  return n;
}

/**
 * Preprocessing and source metadata of `name`'s pretrained weights (mean/std, interpolation,
 * cropPct, inputSize, numClasses), or undefined if none was registered.
 *
 * @example
 * ```ts
 * getPretrainedCfg('vit_base_patch16_384')?.cropPct; // 1.0
 * ```
 */
export function getPretrainedCfg(name: string): PretrainedCfg | undefined {
  const p = entry(name).pretrainedCfg;
  return p ? (structuredClone(p) as PretrainedCfg) : undefined;
}

function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}
