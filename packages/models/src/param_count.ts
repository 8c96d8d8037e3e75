// Parameter shapes and counts of a VisionTransformer computed from its config alone, without
// allocating a tensor: ViT-H/14 (632M parameters) is counted in microseconds.
import { gridSize, numPrefixTokens, resolveViTConfig, type ViTConfig } from './vit_config';

/**
 * Every learnable parameter's timm state-dict key and shape (PyTorch layout), in the order
 * `stateDict()` lists them.
 *
 * @example
 * ```ts
 * parameterShapes({ depth: 1 }).get('blocks.0.attn.qkv.weight'); // [2304, 768]
 * ```
 */
export function parameterShapes(config: ViTConfig = {}): Map<string, number[]> {
  const c = resolveViTConfig(config);
  const out = new Map<string, number[]>();
  const dim = c.embedDim;
  const linear = (name: string, inF: number, outF: number, bias = true) => {
    out.set(`${name}.weight`, [outF, inF]);
    if (bias) out.set(`${name}.bias`, [outF]);
  };
  const norm = (name: string, d = dim) => {
    out.set(`${name}.weight`, [d]);
    out.set(`${name}.bias`, [d]);
  };
  const prefix = numPrefixTokens(c);
  const [gh, gw] = gridSize(c.imgSize, c.patchSize, c.dynamicImgPad);
  if (c.classToken) out.set('cls_token', [1, 1, dim]);
  if (c.distilled) out.set('dist_token', [1, 1, dim]);
  if (c.regTokens) out.set('reg_token', [1, c.regTokens, dim]);
  if (c.posEmbed === 'learn') out.set('pos_embed', [1, gh * gw + (c.noEmbedClass ? 0 : prefix), dim]);
  out.set('patch_embed.proj.weight', [dim, c.inChans, c.patchSize[0], c.patchSize[1]]);
  if (!c.preNorm) out.set('patch_embed.proj.bias', [dim]);
  if (c.preNorm) norm('norm_pre');
  const hidden = Math.floor(dim * c.mlpRatio);
  const headDim = dim / c.numHeads;
  for (let i = 0; i < c.depth; i++) {
    const b = `blocks.${i}`;
    norm(`${b}.norm1`);
    linear(`${b}.attn.qkv`, dim, 3 * dim, c.qkvBias);
    if (c.qkNorm) {
      norm(`${b}.attn.q_norm`, headDim);
      norm(`${b}.attn.k_norm`, headDim);
    }
    if (c.scaleAttnNorm) norm(`${b}.attn.norm`);
    linear(`${b}.attn.proj`, dim, dim, c.projBias);
    if (c.initValues) out.set(`${b}.ls1.gamma`, [dim]);
    norm(`${b}.norm2`);
    linear(`${b}.mlp.fc1`, dim, hidden, c.projBias);
    if (c.scaleMlpNorm) norm(`${b}.mlp.norm`, hidden);
    linear(`${b}.mlp.fc2`, hidden, dim, c.projBias);
    if (c.initValues) out.set(`${b}.ls2.gamma`, [dim]);
  }
  if (c.finalNorm && !c.useFcNorm) norm('norm');
  if (c.globalPool === 'map') {
    out.set('attn_pool.latent', [1, 1, dim]);
    linear('attn_pool.q', dim, dim);
    linear('attn_pool.kv', dim, 2 * dim);
    linear('attn_pool.proj', dim, dim);
    norm('attn_pool.norm');
    linear('attn_pool.mlp.fc1', dim, hidden);
    linear('attn_pool.mlp.fc2', hidden, dim);
  }
  if (c.finalNorm && c.useFcNorm) norm('fc_norm');
  let features = dim;
  if (c.representationSize) {
    linear('pre_logits.fc', dim, c.representationSize);
    features = c.representationSize;
  }
  if (c.numClasses > 0) linear('head', features, c.numClasses);
  if (c.distilled && c.numClasses > 0) linear('head_dist', dim, c.numClasses);
  return out;
}

/**
 * The number of learnable scalars of the ViT `config` describes (timm's
 * `sum(p.numel() for p in model.parameters())`), from shapes only.
 *
 * @example
 * ```ts
 * countParameters(getModelConfig('vit_base_patch16_224')); // 86_567_656
 * ```
 */
export function countParameters(config: ViTConfig = {}): number {
  let n = 0;
  for (const shape of parameterShapes(config).values()) n += shape.reduce((a, b) => a * b, 1);
  return n;
}
