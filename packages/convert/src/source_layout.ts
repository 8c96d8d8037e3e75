// Which model family's naming a state dict uses: timm's own, torchvision's `vision_transformer`,
// Hugging Face transformers' ViT, Google's JAX (flax) npz, big_vision's npz (SigLIP), OpenAI
// CLIP / OpenCLIP, OpenCLIP with a timm trunk, or Meta's DINOv2. Detection looks at key names only.
import { CheckpointError } from './errors';

/** A state-dict layout the mappers understand. */
export type SourceLayout = 'timm' | 'torchvision' | 'hf' | 'jax' | 'big_vision' | 'openai_clip' | 'open_clip_timm' | 'dinov2';

/**
 * Detects the layout from the keys, or returns null when none fits.
 *
 * The more specific layouts are tried first, as timm's `checkpoint_filter_fn` / `_load_weights`
 * tell them apart: big_vision by its `params/` (or `params/img/`) prefix, OpenAI CLIP by
 * `visual.class_embedding` (a CLIP ResNet, which has no `visual.transformer`, is no ViT), OpenCLIP's
 * timm trunk by `visual.trunk.`, DINOv2 by Meta's `mask_token` / `register_tokens` / SwiGLU `mlp.w12`.
 *
 * @example
 * detectLayout(['conv_proj.weight', 'encoder.pos_embedding']); // 'torchvision'
 * detectLayout(['visual.class_embedding', 'visual.conv1.weight', 'logit_scale']); // 'openai_clip'
 */
export function detectLayout(keys: Iterable<string>): SourceLayout | null {
  const list = [...keys];
  const has = (re: RegExp) => list.some((k) => re.test(k));
  if (has(/^params\/(img\/)?embedding\/kernel$/)) return 'big_vision';
  if (has(/(^|\/)embedding\/kernel$/) || has(/(^|\/)Transformer\/encoderblock_\d+\//)) return 'jax';
  if (has(/^visual\.class_embedding$/) || (has(/^visual\.conv1\.weight$/) && has(/^visual\.transformer\.resblocks\.\d+\./))) return 'openai_clip';
  if (has(/^visual\.trunk\.(patch_embed\.proj\.weight|pos_embed|blocks\.0\.norm1\.weight)$/)) return 'open_clip_timm';
  if (has(/^conv_proj\.weight$/) || has(/^encoder\.layers\.encoder_layer_\d+\./)) return 'torchvision';
  if (has(/^(vit\.)?embeddings\.patch_embeddings\.projection\.weight$/) || has(/^(vit\.)?encoder\.layer\.\d+\.attention\./)) return 'hf';
  if (has(/^patch_embed\.proj\.weight$/) && (has(/^(mask_token|register_tokens)$/) || has(/^blocks\.\d+\.mlp\.w12\./))) return 'dinov2';
  if (has(/^patch_embed\.proj\.weight$/) || (has(/^blocks\.\d+\.attn\./) && has(/^(pos_embed|cls_token)$/))) return 'timm';
  return null;
}

/** A short description of what a state dict holds, for error messages: key count and a few keys. */
export function describeKeys(keys: Iterable<string>, shapeOf?: (key: string) => readonly number[] | undefined): string {
  const list = [...keys];
  const few = list.slice(0, 6).map((k) => {
    const s = shapeOf?.(k);
    return s ? `${k} [${s.join(', ')}]` : k;
  });
  return `${list.length} tensors: ${few.join(', ')}${list.length > few.length ? ', …' : ''}`;
}

/**
 * {@link detectLayout}, or a `CheckpointError` (`CHECKPOINT_UNKNOWN_ARCH`) naming what was found.
 *
 * @example
 * requireLayout(['conv1.weight', 'layer1.0.conv1.weight']); // throws: not a ViT state dict …
 */
export function requireLayout(keys: Iterable<string>, shapeOf?: (key: string) => readonly number[] | undefined): SourceLayout {
  const list = [...keys];
  const layout = detectLayout(list);
  if (layout) return layout;
  throw new CheckpointError(
    'CHECKPOINT_UNKNOWN_ARCH',
    `not a ViT state dict in timm, torchvision, Hugging Face, JAX/big_vision, CLIP or DINOv2 naming (looked for patch_embed.proj.weight, conv_proj.weight, ` +
      `embeddings.patch_embeddings.projection.weight, embedding/kernel, visual.class_embedding, visual.trunk.*); found ${describeKeys(list, shapeOf)}`,
  );
}
