// Which model family's naming a state dict uses: timm's own, torchvision's `vision_transformer`,
// Hugging Face transformers' ViT, or Google's JAX (flax) npz. Detection looks at key names only.
import { CheckpointError } from './errors';

/** A state-dict layout the mappers understand. */
export type SourceLayout = 'timm' | 'torchvision' | 'hf' | 'jax';

/**
 * Detects the layout from the keys, or returns null when none fits.
 *
 * @example
 * detectLayout(['conv_proj.weight', 'encoder.pos_embedding']); // 'torchvision'
 */
export function detectLayout(keys: Iterable<string>): SourceLayout | null {
  const list = [...keys];
  const has = (re: RegExp) => list.some((k) => re.test(k));
  if (has(/(^|\/)embedding\/kernel$/) || has(/(^|\/)Transformer\/encoderblock_\d+\//)) return 'jax';
  if (has(/^conv_proj\.weight$/) || has(/^encoder\.layers\.encoder_layer_\d+\./)) return 'torchvision';
  if (has(/^(vit\.)?embeddings\.patch_embeddings\.projection\.weight$/) || has(/^(vit\.)?encoder\.layer\.\d+\.attention\./)) return 'hf';
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
    `not a ViT state dict in timm, torchvision, Hugging Face or JAX naming (looked for patch_embed.proj.weight, conv_proj.weight, ` +
      `embeddings.patch_embeddings.projection.weight, embedding/kernel); found ${describeKeys(list, shapeOf)}`,
  );
}
