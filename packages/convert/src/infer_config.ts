// Inferring a ViT's architecture from the shapes of its state dict (timm keys). Everything but
// the number of heads is in the shapes; heads come from a registered model of the same width,
// depth and patch size, or timm's usual head width of 64, and the notes say which.
import { getModelConfig, listModels, resolveViTConfig, type ViTConfig } from '@tfjs-vit/models';
import { ArgumentError } from '@tfjs-vit/ops';
import { CheckpointError } from './errors';
import { describeKeys, type SourceLayout } from './source_layout';

/** Anything with a shape: tensors, lazy checkpoint entries. */
export type Shaped = { readonly shape: readonly number[] };

/** What {@link inferViTConfig} found, and how it decided what the shapes cannot say. */
export interface InferredConfig {
  config: ViTConfig;
  /** One line per assumption (e.g. how numHeads was chosen). */
  notes: string[];
}

/** Options of {@link inferViTConfig}. */
export interface InferConfigOptions {
  /** Heads, when known (from the caller, or recorded in a JAX checkpoint). */
  numHeads?: number;
  /**
   * The layout the state dict was mapped from, for what its source implies but the shapes cannot
   * say: `'openai_clip'` → CLIP's LayerNorm eps 1e-5 (and a note on its activation).
   */
  layout?: SourceLayout;
}

/** The LayerNorm eps of OpenAI CLIP / OpenCLIP ViTs (PyTorch's default; timm's `*_clip_*` models). */
export const CLIP_LAYER_NORM_EPS = 1e-5;

function isqrt(n: number): number | null {
  const r = Math.round(Math.sqrt(n));
  return r * r === n && n > 0 ? r : null;
}

function headsFromRegistry(embedDim: number, depth: number, patch: readonly number[]): { name: string; numHeads: number } | null {
  for (const name of listModels()) {
    let c;
    try {
      c = resolveViTConfig(getModelConfig(name));
    } catch {
      continue; // registered without a ViT config
    }
    if (c.embedDim === embedDim && c.depth === depth && c.patchSize[0] === patch[0] && c.patchSize[1] === patch[1]) {
      return { name, numHeads: c.numHeads };
    }
  }
  return null;
}

/**
 * Infers timm's VisionTransformer kwargs (camelCased) from a timm-keyed state dict's shapes:
 * width, patch size and channels (`patch_embed.proj.weight`), depth (blocks), MLP ratio (`fc1`),
 * qkv bias, qk-norm, LayerScale, class / register tokens, grid and `noEmbedClass` (pos_embed
 * length), pooling (`attn_pool.latent` → SigLIP's 'map' attention pool, `fc_norm` → avg, no class
 * token → avg), pre-norm (`norm_pre`, CLIP), bias-free projections, pre-logits width and head
 * size. A state dict that is not a plain ViT (a CNN stem, a gated SwiGLU MLP) is a
 * `CheckpointError` (`CHECKPOINT_UNKNOWN_ARCH`) naming what was found.
 *
 * @example
 * const { config, notes } = inferViTConfig(sd.tensors);
 * // config: { embedDim: 768, depth: 12, numHeads: 12, patchSize: [16, 16], imgSize: [224, 224], ... }
 */
export function inferViTConfig(stateDict: ReadonlyMap<string, Shaped>, options: InferConfigOptions = {}): InferredConfig {
  const shape = (k: string) => stateDict.get(k)?.shape;
  const has = (k: string) => stateDict.has(k);
  const unknown = (why: string) =>
    new CheckpointError('CHECKPOINT_UNKNOWN_ARCH', `cannot infer a ViT config: ${why}; found ${describeKeys(stateDict.keys(), shape)}`);
  const proj = shape('patch_embed.proj.weight');
  if ([...stateDict.keys()].some((k) => k.startsWith('patch_embed.backbone.'))) throw unknown('hybrid (CNN backbone) patch embeddings are not inferred; pass model');
  if (!proj || proj.length !== 4) throw unknown(`expected patch_embed.proj.weight [embedDim, inChans, ph, pw], got ${proj ? `[${proj.join(', ')}]` : 'none'}`);
  const [embedDim, inChans, ph, pw] = proj;
  const blockIds = new Set<number>();
  for (const k of stateDict.keys()) {
    const m = /^blocks\.(\d+)\./.exec(k);
    if (m) blockIds.add(Number(m[1]));
  }
  const depth = blockIds.size;
  if (!depth) throw unknown('no blocks.N.* keys');
  for (let i = 0; i < depth; i++) if (!blockIds.has(i)) throw unknown(`blocks are not numbered 0..${depth - 1} (block ${i} is missing)`);
  const fc1 = shape('blocks.0.mlp.fc1.weight');
  const qkv = shape('blocks.0.attn.qkv.weight');
  if (!fc1 || !qkv || qkv[0] !== 3 * embedDim) throw unknown(`expected blocks.0.attn.qkv.weight [${3 * embedDim}, ${embedDim}] and blocks.0.mlp.fc1.weight`);
  const fc2 = shape('blocks.0.mlp.fc2.weight');
  if (fc2 && fc2.length === 2 && fc2[1] !== fc1[0]) {
    throw unknown(`blocks.0.mlp.fc2.weight takes ${fc2[1]} features but fc1 gives ${fc1[0]}: a gated (SwiGLU) MLP, as DINOv2 giant's, which this library does not implement`);
  }
  const notes: string[] = [];

  let numHeads = options.numHeads;
  if (!numHeads) {
    const match = headsFromRegistry(embedDim, depth, [ph, pw]);
    if (match) {
      numHeads = match.numHeads;
      notes.push(`numHeads ${numHeads} taken from registered model ${match.name} (same embedDim, depth, patch size): heads are not in the shapes`);
    } else if (embedDim % 64 === 0) {
      numHeads = embedDim / 64;
      notes.push(`numHeads ${numHeads} assumed (head width 64): heads are not in the shapes; pass model: { numHeads } if that is wrong`);
    } else {
      throw unknown(`numHeads is not in the shapes, no registered model has embedDim ${embedDim}, depth ${depth}, patch ${ph}x${pw}, and ${embedDim} is not a multiple of 64; pass model: { numHeads }`);
    }
  }

  const classToken = has('cls_token');
  const regTokens = shape('reg_token')?.[1] ?? 0;
  const prefix = (classToken ? 1 : 0) + regTokens;
  const pos = shape('pos_embed');
  const config: ViTConfig = {
    patchSize: [ph, pw], inChans, embedDim, depth, numHeads,
    mlpRatio: fc1[0] / embedDim,
    qkvBias: has('blocks.0.attn.qkv.bias'),
    qkNorm: has('blocks.0.attn.q_norm.weight'),
    initValues: has('blocks.0.ls1.gamma') ? 1e-5 : null, // any non-zero value: the checkpoint's gamma is loaded over it
    classToken, regTokens,
    preNorm: has('norm_pre.weight'),
    numClasses: shape('head.weight')?.[0] ?? 0,
    ...(has('blocks.0.attn.proj.weight') && !has('blocks.0.attn.proj.bias') ? { projBias: false } : {}),
    representationSize: shape('pre_logits.fc.weight')?.[0] ?? null,
  };
  if (pos) {
    const side = isqrt(pos[1] - prefix);
    const sideNoEmbed = prefix ? isqrt(pos[1]) : null;
    const grid = side ?? sideNoEmbed;
    if (!grid) throw unknown(`pos_embed has ${pos[1]} tokens: neither ${prefix} prefix tokens + a square grid nor a square grid alone`);
    if (!side) config.noEmbedClass = true;
    config.imgSize = [grid * ph, grid * pw];
    notes.push(`grid ${grid}x${grid} from pos_embed (${pos[1]} tokens${side ? '' : ', prefix tokens not embedded'}): imgSize ${grid * ph}x${grid * pw}`);
  } else config.posEmbed = 'none';
  const latent = shape('attn_pool.latent');
  if (latent) {
    if (latent.length !== 3 || latent[1] !== 1 || latent[2] !== embedDim) throw unknown(`attn_pool.latent: expected [1, 1, ${embedDim}] (one latent query, as SigLIP's), got [${latent.join(', ')}]`);
    config.globalPool = 'map';
    if (has('fc_norm.weight')) config.fcNorm = true;
    notes.push(`globalPool 'map' (attn_pool.latent: an attention-pool head, as SigLIP's)`);
  } else if (has('fc_norm.weight') || !classToken) {
    config.globalPool = 'avg';
    if (!has('fc_norm.weight')) config.fcNorm = false;
    notes.push(`globalPool 'avg' assumed (${classToken ? 'fc_norm present' : 'no class token'}); 'max' and 'avgmax' have the same keys`);
  } else config.globalPool = 'token';
  if (!has('fc_norm.weight') && !has('norm.weight')) config.finalNorm = false;
  if (options.layout === 'openai_clip') {
    config.normEps = CLIP_LAYER_NORM_EPS;
    notes.push(`normEps ${CLIP_LAYER_NORM_EPS} (CLIP's LayerNorm); the activation is not in the checkpoint: OpenAI's own weights use QuickGELU ` +
      `(pass model: { actLayer: 'quick_gelu' }, timm's *_clip_quickgelu_* models), OpenCLIP's LAION/DataComp weights GELU (the default)`);
  }
  try {
    resolveViTConfig(config);
  } catch (err) {
    if (err instanceof ArgumentError) throw unknown(`the shapes give an invalid config (${err.message})`);
    throw err;
  }
  return { config, notes };
}
