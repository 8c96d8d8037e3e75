// Which registered models a config is: the reverse of the registry, for naming an architecture
// that was inferred from a checkpoint's shapes (and so finding its pretrained preprocessing).
import { FAMILY_MODELS } from './family_configs';
import { getModelConfig, listModels } from './registry';
import { resolveViTConfig, type ResolvedViTConfig, type ViTConfig } from './vit_config';

/** Options of {@link matchModels}. */
export interface MatchModelsOptions {
  /** Also accept names whose head size differs (listed after exact matches). Default true. */
  anyNumClasses?: boolean;
  /** Also accept names whose input size differs (listed last). Default false. */
  anyImgSize?: boolean;
}

// What decides the weights' shapes and meaning; runtime switches (dropout rates, dynamic sizes,
// the input layout) are not part of an architecture.
const ARCHITECTURE: readonly (keyof ResolvedViTConfig)[] = [
  'patchSize', 'inChans', 'globalPool', 'embedDim', 'depth', 'numHeads', 'mlpRatio', 'qkvBias', 'qkNorm',
  'projBias', 'scaleAttnNorm', 'scaleMlpNorm', 'actLayer', 'normEps', 'classToken', 'regTokens', 'distilled',
  'posEmbed', 'noEmbedClass', 'preNorm', 'finalNorm', 'useFcNorm', 'poolIncludePrefix', 'representationSize',
];

// Ties between a plain `vit_*` name and a family name of the same shapes (deit_base_patch16_224 is
// vit_base_patch16_224's architecture): the original ViT first, whose preprocessing callers expect.
const rank = (name: string) => (name in FAMILY_MODELS ? 1 : 0);

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * The registered names whose architecture equals `config`'s: same widths, depth, heads, patch,
 * tokens, norms and pooling; LayerScale present or not. Exact matches (same input size and head
 * size) come first, then other head sizes, then (with `anyImgSize`) other input sizes; each group
 * sorted by name, the original ViT names before the DeiT/CLIP/DINOv2/SigLIP ones of equal shapes.
 *
 * @example
 * ```ts
 * matchModels({ patchSize: 16, embedDim: 768, depth: 12, numHeads: 12, numClasses: 1000 });
 * // ['vit_base_patch16_224', 'vit_base_patch16_224_in21k'...]
 * ```
 */
export function matchModels(config: ViTConfig, options: MatchModelsOptions = {}): string[] {
  const want = resolveViTConfig(config);
  const groups: string[][] = [[], [], []];
  for (const name of listModels()) {
    let c: ResolvedViTConfig;
    try {
      c = resolveViTConfig(getModelConfig(name));
    } catch {
      continue; // registered without a ViT config
    }
    if (!ARCHITECTURE.every((k) => same(c[k], want[k])) || !!c.initValues !== !!want.initValues) continue;
    const sizeOk = same(c.imgSize, want.imgSize);
    const classesOk = c.numClasses === want.numClasses;
    if (sizeOk && classesOk) groups[0].push(name);
    else if (sizeOk && (options.anyNumClasses ?? true)) groups[1].push(name);
    else if (options.anyImgSize && (classesOk || (options.anyNumClasses ?? true))) groups[2].push(name);
  }
  return groups.flatMap((g) => g.sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : 1)));
}
