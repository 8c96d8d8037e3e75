// CLIP image towers → timm keys and layouts, as timm's `_convert_openai_clip` and
// `checkpoint_filter_fn` convert them. Two layouts:
//   OpenAI CLIP / OpenCLIP's own ViT (`visual.conv1`, `visual.transformer.resblocks.N.attn.in_proj_weight`,
//     `visual.proj` …): nn.MultiheadAttention's in_proj is already timm's fused qkv, the projection
//     `[width, embed]` is timm's head transposed (with a zero bias), class/position embeddings lack
//     the batch axis;
//   OpenCLIP with a timm trunk (`visual.trunk.*`): timm keys under a prefix, the projection outside
//     the trunk in `visual.head.proj`.
// Everything outside `visual.` (the text tower, logit_scale) is left out; a `visual.` key the
// mapping does not know passes through under its own name (a strict load reports it).
import * as tf from '@tensorflow/tfjs-core';
import { CheckpointError } from './errors';
import type { KeyRule } from './key_rules';

const RESBLOCK = String.raw`^transformer\.resblocks\.(\d+)\.`;

/** OpenAI CLIP `visual.*` key patterns (prefix removed) → timm keys, first match wins. */
export const OPENAI_CLIP_RULES: readonly KeyRule[] = [
  [/^conv1\./, 'patch_embed.proj.'],
  [/^ln_pre\./, 'norm_pre.'],
  [/^ln_post\./, 'norm.'],
  [new RegExp(`${RESBLOCK}ln_1\\.`), 'blocks.$1.norm1.'],
  [new RegExp(`${RESBLOCK}ln_2\\.`), 'blocks.$1.norm2.'],
  [new RegExp(`${RESBLOCK}attn\\.in_proj_weight$`), 'blocks.$1.attn.qkv.weight'],
  [new RegExp(`${RESBLOCK}attn\\.in_proj_bias$`), 'blocks.$1.attn.qkv.bias'],
  [new RegExp(`${RESBLOCK}attn\\.out_proj\\.`), 'blocks.$1.attn.proj.'],
  [new RegExp(`${RESBLOCK}mlp\\.c_fc\\.`), 'blocks.$1.mlp.fc1.'],
  [new RegExp(`${RESBLOCK}mlp\\.c_proj\\.`), 'blocks.$1.mlp.fc2.'],
  // OpenCLIP's LayerScale (ls_init_value): timm leaves these as they are, which no timm model loads
  [new RegExp(`${RESBLOCK}ls_([12])\\.gamma$`), 'blocks.$1.ls$2.gamma'],
];

/** `key` renamed by the first matching rule, or null when none matches. */
function ruleFor(key: string): string | null {
  for (const [pattern, to] of OPENAI_CLIP_RULES) if (pattern.test(key)) return key.replace(pattern, to);
  return null;
}

/** The key prefix of a CLIP image tower (`module.` is removed earlier, by unwrapping). */
export const CLIP_VISUAL_PREFIX = 'visual.';

/** The key prefix of an OpenCLIP image tower that is a timm model. */
export const OPEN_CLIP_TRUNK_PREFIX = 'visual.trunk.';

/** What one resblock must hold, by its relative key. */
const RESBLOCK_PARTS = ['ln_1.weight', 'attn.in_proj_weight', 'attn.out_proj.weight', 'ln_2.weight', 'mlp.c_fc.weight', 'mlp.c_proj.weight'] as const;

function shapeText(t: tf.Tensor | undefined): string {
  return t ? `[${t.shape.join(', ')}]` : 'missing';
}

/** Each resblock in `visual` (prefix removed) holds the parts timm's Block needs, in shapes that fit. */
function checkResblocks(visual: ReadonlyMap<string, tf.Tensor>): void {
  const blocks = new Set<string>();
  for (const k of visual.keys()) {
    const m = /^transformer\.resblocks\.(\d+)\./.exec(k);
    if (m) blocks.add(m[1]);
  }
  for (const i of blocks) {
    const r = `transformer.resblocks.${i}.`;
    const missing = RESBLOCK_PARTS.filter((p) => !visual.has(r + p));
    if (missing.length) {
      const have = [...visual.keys()].filter((k) => k.startsWith(r)).map((k) => k.slice(r.length));
      const split = have.some((k) => /^attn\.[qkv]_proj_weight$/.test(k)) ? ' (separate q/k/v projections: an attention with kdim/vdim ≠ width is not a CLIP ViT)' : '';
      throw new CheckpointError('CHECKPOINT_ARCH_MISMATCH', `CLIP ${CLIP_VISUAL_PREFIX}${r}: missing ${missing.join(', ')}${split}; found ${have.join(', ') || 'nothing'}`);
    }
    const qkv = visual.get(r + 'attn.in_proj_weight')!;
    const out = visual.get(r + 'attn.out_proj.weight')!;
    const width = out.shape[0]!;
    if (qkv.rank !== 2 || qkv.shape[0] !== 3 * width || qkv.shape[1] !== width) {
      throw new CheckpointError('CHECKPOINT_ARCH_MISMATCH', `CLIP ${CLIP_VISUAL_PREFIX}${r}attn.in_proj_weight: expected [${3 * width}, ${width}] (q|k|v of out_proj's width ${width}), got ${shapeText(qkv)}`);
    }
  }
}

/**
 * Maps an OpenAI CLIP (or OpenCLIP ViT) state dict's image tower to timm's keys as timm's
 * `_convert_openai_clip` does: renames; `class_embedding [D]` → `cls_token [1, 1, D]`;
 * `positional_embedding [N, D]` → `pos_embed [1, N, D]`; `proj [D, E]` → `head.weight [E, D]`
 * and a zero `head.bias [E]`. Text-tower keys are left out; an image-tower key no rule knows
 * keeps its full name (`visual.…`), so a strict load reports it. Each resblock is checked for the
 * parts of a timm block (a `CheckpointError` names what is missing). Reshaped/new tensors are
 * new; renamed ones are the same objects.
 *
 * @example
 * const sd = mapOpenAiClipKeys(tensors); // 'visual.transformer.resblocks.0.attn.in_proj_weight' → 'blocks.0.attn.qkv.weight'
 * sd.get('head.weight')!.shape; // [512, 768] from visual.proj [768, 512]
 */
export function mapOpenAiClipKeys(stateDict: ReadonlyMap<string, tf.Tensor>): Map<string, tf.Tensor> {
  const visual = new Map<string, tf.Tensor>();
  for (const [k, t] of stateDict) if (k.startsWith(CLIP_VISUAL_PREFIX)) visual.set(k.slice(CLIP_VISUAL_PREFIX.length), t);
  checkResblocks(visual);
  const out = new Map<string, tf.Tensor>();
  for (const [k, t] of visual) {
    if (k === 'proj') {
      if (t.rank !== 2) throw new CheckpointError('CHECKPOINT_ARCH_MISMATCH', `CLIP ${CLIP_VISUAL_PREFIX}proj: expected [width, embedDim], got ${shapeText(t)}`);
      out.set('head.weight', tf.transpose(t));
      out.set('head.bias', tf.zeros([t.shape[1]!]));
    } else if (k === 'class_embedding') {
      out.set('cls_token', tf.reshape(t, [1, 1, t.size]));
    } else if (k === 'positional_embedding') {
      if (t.rank !== 2) throw new CheckpointError('CHECKPOINT_ARCH_MISMATCH', `CLIP ${CLIP_VISUAL_PREFIX}positional_embedding: expected [tokens, width], got ${shapeText(t)}`);
      out.set('pos_embed', tf.reshape(t, [1, ...t.shape]));
    } else {
      out.set(ruleFor(k) ?? CLIP_VISUAL_PREFIX + k, t);
    }
  }
  return out;
}

/**
 * Maps an OpenCLIP model whose image tower is a timm model (`visual.trunk.*`) to timm's keys as
 * timm's `checkpoint_filter_fn` does: the trunk's keys without the prefix, and the projection
 * `visual.head.proj.weight [E, D]` (OpenCLIP's `timm_proj: 'linear'`) as `head.weight` with its
 * bias, or zeros when it has none. Keys outside `visual.` (the text tower) are left out; other
 * `visual.` keys (an MLP projection) keep their names, so a strict load reports them.
 *
 * @example
 * const sd = mapOpenClipTimmKeys(tensors); // 'visual.trunk.attn_pool.latent' → 'attn_pool.latent'
 */
export function mapOpenClipTimmKeys(stateDict: ReadonlyMap<string, tf.Tensor>): Map<string, tf.Tensor> {
  const out = new Map<string, tf.Tensor>();
  for (const [k, t] of stateDict) {
    if (k.startsWith(OPEN_CLIP_TRUNK_PREFIX)) out.set(k.slice(OPEN_CLIP_TRUNK_PREFIX.length), t);
    else if (k.startsWith(CLIP_VISUAL_PREFIX) && !k.startsWith('visual.head.proj.')) out.set(k, t);
  }
  const proj = stateDict.get('visual.head.proj.weight');
  if (proj) {
    if (proj.rank !== 2) throw new CheckpointError('CHECKPOINT_ARCH_MISMATCH', `OpenCLIP visual.head.proj.weight: expected [embedDim, width], got ${shapeText(proj)}`);
    out.set('head.weight', proj);
    out.set('head.bias', stateDict.get('visual.head.proj.bias') ?? tf.zeros([proj.shape[0]!]));
  }
  return out;
}
