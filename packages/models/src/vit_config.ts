// The data half of a VisionTransformer: timm's constructor arguments, camelCased, with timm's
// defaults. Everything here is plain JSON (variants are data); the injectable parts live in
// `VisionTransformerOptions` (vision_transformer.ts).
import { ArgumentError } from '@tfjs-vit/ops';

/** How the tokens are pooled into one vector for the head (timm's `global_pool`). */
export type GlobalPool = 'token' | 'avg' | 'avgmax' | 'max' | '';

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
  /** LayerNorm on q and k per head (default false). */
  qkNorm?: boolean;
  /** LayerScale initial value; undefined/null/0 = no LayerScale (default). */
  initValues?: number | null;
  /** Prepend a class token (default true). */
  classToken?: boolean;
  /** Register tokens after the class token (default 0). */
  regTokens?: number;
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
  qkNorm: boolean;
  initValues: number | null;
  classToken: boolean;
  regTokens: number;
  posEmbed: 'learn' | 'none';
  noEmbedClass: boolean;
  preNorm: boolean;
  finalNorm: boolean;
  /** Resolved: whether the norm sits after pooling. */
  useFcNorm: boolean;
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

const POOLS: readonly GlobalPool[] = ['token', 'avg', 'avgmax', 'max', ''];

/**
 * Fills in timm's defaults and checks the values (typed `ArgumentError` on a bad one).
 *
 * @example
 * ```ts
 * resolveViTConfig({ patchSize: 32 }).imgSize; // [224, 224]
 * ```
 */
export function resolveViTConfig(config: ViTConfig = {}): ResolvedViTConfig {
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
    qkNorm: config.qkNorm ?? false,
    initValues: config.initValues ? config.initValues : null,
    classToken,
    regTokens: config.regTokens ?? 0,
    posEmbed: config.posEmbed ?? 'learn',
    noEmbedClass: config.noEmbedClass ?? false,
    preNorm: config.preNorm ?? false,
    finalNorm: config.finalNorm ?? true,
    useFcNorm: config.fcNorm ?? (globalPool === 'avg' || globalPool === 'avgmax' || globalPool === 'max'),
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
    throw new ArgumentError(`ViT: globalPool must be one of ${POOLS.map((p) => `'${p}'`).join(', ')}, got '${globalPool}'`);
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

/** Number of prefix tokens (class + register) before the patch tokens. */
export function numPrefixTokens(c: Pick<ResolvedViTConfig, 'classToken' | 'regTokens'>): number {
  return (c.classToken ? 1 : 0) + c.regTokens;
}

/** Patch grid `[h, w]` for an image size (floor, as a stride-p conv; with dynamicImgPad, ceil). */
export function gridSize(imgSize: readonly [number, number], patchSize: readonly [number, number], pad = false): [number, number] {
  const f = pad ? Math.ceil : Math.floor;
  return [f(imgSize[0] / patchSize[0]), f(imgSize[1] / patchSize[1])];
}
