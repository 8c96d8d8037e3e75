// The data half of a VisionTransformer: timm's constructor arguments, camelCased, with timm's
// defaults. Everything here is plain JSON (variants are data); the injectable parts live in
// `VisionTransformerOptions` (vision_transformer.ts).
import { ArgumentError } from '@tfjs-vit/ops';

/**
 * How the tokens are pooled into one vector for the head (timm's `global_pool`); `'map'` is an
 * attention pool with a learned latent query (`attn_pool`, SigLIP).
 */
export type GlobalPool = 'token' | 'avg' | 'avgmax' | 'max' | 'map' | '';

/** The MLP activation by timm's name (`act_layer`): exact GELU, its tanh approximation, or QuickGELU (CLIP). */
export type ActLayerName = 'gelu' | 'gelu_tanh' | 'quick_gelu';

/** A size per spatial axis: one number for a square, or `[h, w]`. */
export type ImgSize = number | readonly [number, number];

/**
 * timm's `VisionTransformer.__init__` keyword arguments, camelCased. A timm kwargs dict written in
 * camelCase builds the same architecture with the same state-dict keys.
 *
 * @example
 * ```ts
 * const cfg: ViTConfig = { imgSize: [32, 48], patchSize: 8, embedDim: 64, depth: 2, numHeads: 4,
 *   numClasses: 10, globalPool: 'token' };
 * ```
 */
export interface ViTConfig {
  /** Input image size (default 224). */
  imgSize?: ImgSize;
  /** Patch size (default 16). */
  patchSize?: ImgSize;
  /** Input channels (default 3). */
  inChans?: number;
  /** Classes of the head; 0 means no head (default 1000). */
  numClasses?: number;
  /** Pooling for the head (default 'token', the class token). */
  globalPool?: GlobalPool;
  /** Token width (default 768). */
  embedDim?: number;
  /** Number of blocks (default 12). */
  depth?: number;
  /** Attention heads (default 12). */
  numHeads?: number;
  /** MLP hidden width / embedDim (default 4). */
  mlpRatio?: number;
  /** Bias on the qkv projection (default true). */
  qkvBias?: boolean;
  /** Biases of attention's `proj` and the MLP's fc1/fc2 (default true). */
  projBias?: boolean;
  /** LayerNorm in attention before its projection, `attn.norm` (default false). */
  scaleAttnNorm?: boolean;
  /** LayerNorm on the MLP's hidden features, `mlp.norm` (default false). */
  scaleMlpNorm?: boolean;
  /** The MLP activation by name (default 'gelu'); a factory can be given as `actLayer` too. */
  actLayer?: ActLayerName;
  /** Epsilon of every LayerNorm (default 1e-6; timm's `norm_layer=partial(LayerNorm, eps=…)`, 1e-5 for CLIP). */
  normEps?: number;
  /** LayerNorm on q and k per head (default false). */
  qkNorm?: boolean;
  /** LayerScale initial value; undefined/null/0 = no LayerScale (default). */
  initValues?: number | null;
  /** Prepend a class token (default true). */
  classToken?: boolean;
  /** Register tokens after the class token (default 0). */
  regTokens?: number;
  /**
   * A distillation token after the class token with its own head `head_dist` (DeiT's
   * `VisionTransformerDistilled`; default false). The logits are the two heads' mean.
   */
  distilled?: boolean;
  /** Position embedding: 'learn' (default) or 'none'. */
  posEmbed?: 'learn' | 'none';
  /** The position embedding covers the patches only, not the prefix tokens (default false). */
  noEmbedClass?: boolean;
  /** LayerNorm before the blocks (`norm_pre`, CLIP style) and no patch-embed bias (default false). */
  preNorm?: boolean;
  /** Final LayerNorm (default true). */
  finalNorm?: boolean;
  /** Norm after pooling instead of before; undefined = true for avg/max pools (timm's default). */
  fcNorm?: boolean | null;
  /** Pool over the prefix (class/register) tokens too, and hand them to the attention pool (default false). */
  poolIncludePrefix?: boolean;
  /** Pre-logits Linear+Tanh of this width before the head (timm's original in21k models). */
  representationSize?: number | null;
  /** Accept any input size, resampling the position embedding on the fly (default false). */
  dynamicImgSize?: boolean;
  /** Zero-pad the input on the bottom/right to a multiple of the patch size (default false). */
  dynamicImgPad?: boolean;
  /** Dropout before the head (default 0). */
  dropRate?: number;
  /** Dropout after adding the position embedding (default 0). */
  posDropRate?: number;
  /** Dropout after the attention and MLP projections (default 0). */
  projDropRate?: number;
  /** Dropout on the attention weights (default 0). */
  attnDropRate?: number;
  /** Stochastic depth, rising linearly from 0 at the first block to this at the last (default 0). */
  dropPathRate?: number;
  /** Input layout of `forward`: 'NHWC' (default, the tfjs convention) or 'NCHW' (PyTorch's). */
  dataFormat?: 'NHWC' | 'NCHW';
}

/** A `ViTConfig` with every default filled in and sizes as pairs. */
export interface ResolvedViTConfig {
  imgSize: [number, number];
  patchSize: [number, number];
  inChans: number;
  numClasses: number;
  globalPool: GlobalPool;
  embedDim: number;
  depth: number;
  numHeads: number;
  mlpRatio: number;
  qkvBias: boolean;
  projBias: boolean;
  scaleAttnNorm: boolean;
  scaleMlpNorm: boolean;
  /** The activation's name, or 'custom' when a factory was given. */
  actLayer: ActLayerName | 'custom';
  normEps: number;
  qkNorm: boolean;
  initValues: number | null;
  classToken: boolean;
  regTokens: number;
  distilled: boolean;
  posEmbed: 'learn' | 'none';
  noEmbedClass: boolean;
  preNorm: boolean;
  finalNorm: boolean;
  /** Resolved: whether the norm sits after pooling. */
  useFcNorm: boolean;
  poolIncludePrefix: boolean;
  representationSize: number | null;
  dynamicImgSize: boolean;
  dynamicImgPad: boolean;
  dropRate: number;
  posDropRate: number;
  projDropRate: number;
  attnDropRate: number;
  dropPathRate: number;
  dataFormat: 'NHWC' | 'NCHW';
}

/** `[h, w]` from a number or a pair. */
export function toPair(v: ImgSize): [number, number] {
  return typeof v === 'number' ? [v, v] : [v[0], v[1]];
}

const POOLS: readonly GlobalPool[] = ['token', 'avg', 'avgmax', 'max', 'map', ''];
const ACTS: readonly ActLayerName[] = ['gelu', 'gelu_tanh', 'quick_gelu'];

/**
 * Fills in timm's defaults and checks the values (typed `ArgumentError` on a bad one).
 *
 * @example
 * ```ts
 * resolveViTConfig({ patchSize: 32 }).imgSize; // [224, 224]
 * ```
 */
export function resolveViTConfig(config: Omit<ViTConfig, 'actLayer'> & { actLayer?: ActLayerName | 'custom' } = {}): ResolvedViTConfig {
  const globalPool = config.globalPool ?? 'token';
  const classToken = config.classToken ?? true;
  const r: ResolvedViTConfig = {
    imgSize: toPair(config.imgSize ?? 224),
    patchSize: toPair(config.patchSize ?? 16),
    inChans: config.inChans ?? 3,
    numClasses: config.numClasses ?? 1000,
    globalPool,
    embedDim: config.embedDim ?? 768,
    depth: config.depth ?? 12,
    numHeads: config.numHeads ?? 12,
    mlpRatio: config.mlpRatio ?? 4,
    qkvBias: config.qkvBias ?? true,
    projBias: config.projBias ?? true,
    scaleAttnNorm: config.scaleAttnNorm ?? false,
    scaleMlpNorm: config.scaleMlpNorm ?? false,
    actLayer: config.actLayer ?? 'gelu',
    normEps: config.normEps ?? 1e-6,
    qkNorm: config.qkNorm ?? false,
    initValues: config.initValues ? config.initValues : null,
    classToken,
    regTokens: config.regTokens ?? 0,
    distilled: config.distilled ?? false,
    posEmbed: config.posEmbed ?? 'learn',
    noEmbedClass: config.noEmbedClass ?? false,
    preNorm: config.preNorm ?? false,
    finalNorm: config.finalNorm ?? true,
    useFcNorm: config.fcNorm ?? (globalPool === 'avg' || globalPool === 'avgmax' || globalPool === 'max'),
    poolIncludePrefix: config.poolIncludePrefix ?? false,
    representationSize: config.representationSize ? config.representationSize : null,
    dynamicImgSize: config.dynamicImgSize ?? false,
    dynamicImgPad: config.dynamicImgPad ?? false,
    dropRate: config.dropRate ?? 0,
    posDropRate: config.posDropRate ?? 0,
    projDropRate: config.projDropRate ?? 0,
    attnDropRate: config.attnDropRate ?? 0,
    dropPathRate: config.dropPathRate ?? 0,
    dataFormat: config.dataFormat ?? 'NHWC',
  };
  const positive = { inChans: r.inChans, embedDim: r.embedDim, numHeads: r.numHeads } as const;
  for (const [k, v] of Object.entries(positive)) {
    if (!(Number.isInteger(v) && v > 0)) throw new ArgumentError(`ViT: ${k} must be a positive integer, got ${v}`);
  }
  for (const [k, v] of [['depth', r.depth], ['numClasses', r.numClasses], ['regTokens', r.regTokens]] as const) {
    if (!(Number.isInteger(v) && v >= 0)) throw new ArgumentError(`ViT: ${k} must be a non-negative integer, got ${v}`);
  }
  for (const [k, [a, b]] of [['imgSize', r.imgSize], ['patchSize', r.patchSize]] as const) {
    if (!(Number.isInteger(a) && a > 0 && Number.isInteger(b) && b > 0)) {
      throw new ArgumentError(`ViT: ${k} must be positive integers, got [${a}, ${b}]`);
    }
  }
  if (r.embedDim % r.numHeads) {
    throw new ArgumentError(`ViT: embedDim (${r.embedDim}) must be divisible by numHeads (${r.numHeads})`);
  }
  if (!POOLS.includes(globalPool)) {
    const why = (globalPool as string) === 'prr' ? ` (timm's 'prr' attention pool is not supported)` : '';
    throw new ArgumentError(`ViT: globalPool must be one of ${POOLS.map((p) => `'${p}'`).join(', ')}, got '${globalPool}'${why}`);
  }
  if (r.actLayer !== 'custom' && !ACTS.includes(r.actLayer)) {
    throw new ArgumentError(`ViT: actLayer must be one of ${ACTS.map((a) => `'${a}'`).join(', ')} or a factory, got '${String(r.actLayer)}'`);
  }
  if (!(r.normEps > 0)) throw new ArgumentError(`ViT: normEps must be > 0, got ${r.normEps}`);
  if (r.distilled) {
    if (!classToken || globalPool !== 'token') throw new ArgumentError(`ViT: distilled needs classToken: true and globalPool 'token' (as timm's VisionTransformerDistilled)`);
    if (r.regTokens) throw new ArgumentError(`ViT: distilled takes no regTokens (timm's VisionTransformerDistilled ignores them)`);
    if (config.representationSize) throw new ArgumentError(`ViT: distilled takes no representationSize (its heads read the tokens directly)`);
  }
  if (globalPool === 'token' && !classToken) {
    throw new ArgumentError(`ViT: globalPool 'token' needs classToken: true`);
  }
  if (!(r.mlpRatio > 0)) throw new ArgumentError(`ViT: mlpRatio must be > 0, got ${r.mlpRatio}`);
  for (const k of ['dropRate', 'posDropRate', 'projDropRate', 'attnDropRate', 'dropPathRate'] as const) {
    if (!(r[k] >= 0 && r[k] < 1)) throw new ArgumentError(`ViT: ${k} must be in [0, 1), got ${r[k]}`);
  }
  if (r.dataFormat !== 'NHWC' && r.dataFormat !== 'NCHW') {
    throw new ArgumentError(`ViT: dataFormat must be 'NHWC' or 'NCHW', got '${String(r.dataFormat)}'`);
  }
  return r;
}

/** Number of prefix tokens (class, distillation, register) before the patch tokens. */
export function numPrefixTokens(c: Pick<ResolvedViTConfig, 'classToken' | 'regTokens'> & { distilled?: boolean }): number {
  return (c.classToken ? 1 : 0) + (c.distilled ? 1 : 0) + c.regTokens;
}

/** Every `ViTConfig` key (what `createViT` accepts besides the injectable parts). */
export const VIT_CONFIG_KEYS: readonly (keyof ViTConfig)[] = [
  'imgSize', 'patchSize', 'inChans', 'numClasses', 'globalPool', 'embedDim', 'depth', 'numHeads', 'mlpRatio',
  'qkvBias', 'projBias', 'scaleAttnNorm', 'scaleMlpNorm', 'actLayer', 'normEps', 'qkNorm', 'initValues',
  'classToken', 'regTokens', 'distilled', 'posEmbed', 'noEmbedClass', 'preNorm', 'finalNorm', 'fcNorm',
  'poolIncludePrefix', 'representationSize', 'dynamicImgSize', 'dynamicImgPad', 'dropRate', 'posDropRate',
  'projDropRate', 'attnDropRate', 'dropPathRate', 'dataFormat',
];

/** timm constructor arguments (camelCased) this library does not implement: timm's default (accepted) and why. */
const UNSUPPORTED: Readonly<Record<string, [unknown, string]>> = {
  patchDropRate: [0, 'PatchDropout is not implemented'],
  embedNormLayer: [null, 'a norm inside patch_embed is not implemented (pass your own embedLayer)'],
  attnLayer: [null, 'pass your own blockFn instead'],
  weightInit: ['', "only timm's default init is implemented (load weights for the others)"],
  fixInit: [false, "only timm's default init is implemented"],
};

/**
 * Refuses option keys that are neither `ViTConfig` keys nor `allowed` (the injectable parts): a
 * typo or a timm argument this library lacks would otherwise be ignored silently (a timm argument
 * at timm's default value is accepted).
 *
 * @example
 * ```ts
 * checkViTOptionKeys({ patchDropRate: 0.1 }, []); // throws: timm's patch_drop_rate is not supported …
 * ```
 */
export function checkViTOptionKeys(options: object, allowed: readonly string[]): void {
  const known = new Set<string>([...VIT_CONFIG_KEYS, ...allowed]);
  for (const [k, v] of Object.entries(options)) {
    if (known.has(k) || v === undefined) continue;
    const snake = k.replace(/[A-Z]/g, (m) => `_${m.toLowerCase()}`);
    const camel = k.replace(/_([a-z])/g, (_, m: string) => m.toUpperCase());
    const unsupported = UNSUPPORTED[camel];
    if (unsupported && v === unsupported[0]) continue; // timm's default: nothing to implement
    if (unsupported) throw new ArgumentError(`ViT: timm's ${snake} is not supported: ${unsupported[1]}`);
    const hint = camel !== k && known.has(camel) ? ` (did you mean '${camel}'?)` : '';
    throw new ArgumentError(`ViT: unknown option '${k}'${hint}`);
  }
}

/** Patch grid `[h, w]` for an image size (floor, as a stride-p conv; with dynamicImgPad, ceil). */
export function gridSize(imgSize: readonly [number, number], patchSize: readonly [number, number], pad = false): [number, number] {
  const f = pad ? Math.ceil : Math.floor;
  return [f(imgSize[0] / patchSize[0]), f(imgSize[1] / patchSize[1])];
}
