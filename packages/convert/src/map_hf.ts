// Hugging Face transformers' ViT (`ViTForImageClassification`, `ViTModel`) state dict → timm
// keys. HF keeps query/key/value as three Linears; timm fuses them into one `qkv` Linear whose
// output rows are q|k|v, so the three are concatenated along the output axis. HF's ViTModel
// pooler (Linear + tanh on the class token) is timm's pre-logits. HF's LayerNorm eps is 1e-12.
import * as tf from '@tensorflow/tfjs-core';
import { CheckpointError } from './errors';
import { type KeyMapping, mapKeepingUnknown } from './key_mapping';
import { type KeyRule, matchKey, renameKeys } from './key_rules';

const LAYER = String.raw`^encoder\.layer\.(\d+)\.`;

/** HF key patterns (after removing a leading `vit.`) → timm keys, first match wins. */
export const HF_RULES: readonly KeyRule[] = [
  [/^embeddings\.cls_token$/, 'cls_token'],
  [/^embeddings\.position_embeddings$/, 'pos_embed'],
  [/^embeddings\.patch_embeddings\.projection\./, 'patch_embed.proj.'],
  [new RegExp(`${LAYER}layernorm_before\\.`), 'blocks.$1.norm1.'],
  [new RegExp(`${LAYER}layernorm_after\\.`), 'blocks.$1.norm2.'],
  [new RegExp(`${LAYER}attention\\.output\\.dense\\.`), 'blocks.$1.attn.proj.'],
  [new RegExp(`${LAYER}intermediate\\.dense\\.`), 'blocks.$1.mlp.fc1.'],
  [new RegExp(`${LAYER}output\\.dense\\.`), 'blocks.$1.mlp.fc2.'],
  [/^layernorm\./, 'norm.'],
  [/^pooler\.dense\./, 'pre_logits.fc.'],
  [/^classifier\./, 'head.'],
];

/** The LayerNorm eps of Hugging Face's ViT (`layer_norm_eps` default). */
export const HF_LAYER_NORM_EPS = 1e-12;

const QKV = /^(?:vit\.)?encoder\.layer\.(\d+)\.attention\.attention\.(query|key|value)\.(weight|bias)$/;

/**
 * {@link mapHfKeys} with the source keys it used: every key a rule renames, and the fused
 * query/key/value. Keys no rule knows are not in `tensors` (see `mapKeepingUnknown`).
 *
 * @example
 * const { tensors, consumed } = hfKeyMapping(stateDict);
 */
export function hfKeyMapping(stateDict: ReadonlyMap<string, tf.Tensor>): KeyMapping {
  const renamed = new Map<string, tf.Tensor>();
  const consumed = new Set<string>();
  const qkv = new Map<string, Partial<Record<'query' | 'key' | 'value', tf.Tensor>>>();
  for (const [key, t] of stateDict) {
    const m = QKV.exec(key);
    if (m) {
      const slot = `blocks.${m[1]}.attn.qkv.${m[3]}`;
      const parts = qkv.get(slot) ?? {};
      parts[m[2] as 'query' | 'key' | 'value'] = t;
      qkv.set(slot, parts);
      consumed.add(key);
    } else if (matchKey(key.startsWith('vit.') ? key.slice(4) : key, HF_RULES) !== null) {
      renamed.set(key, t);
      consumed.add(key);
    }
  }
  const bare = new Map<string, tf.Tensor>();
  for (const [k, t] of renamed) {
    const name = k.startsWith('vit.') ? k.slice(4) : k;
    if (bare.has(name)) throw new CheckpointError('CHECKPOINT_ARCH_MISMATCH', `checkpoint keys ${name} and vit.${name} are one Hugging Face tensor twice; remove one`);
    bare.set(name, t);
  }
  const out = renameKeys(bare, HF_RULES);
  for (const [slot, parts] of qkv) {
    const { query, key, value } = parts;
    if (!query || !key || !value) {
      const have = (['query', 'key', 'value'] as const).filter((n) => parts[n]);
      throw new CheckpointError('CHECKPOINT_ARCH_MISMATCH', `${slot}: Hugging Face attention needs query, key and value; found only ${have.join(', ')}`);
    }
    const shapes = [query, key, value].map((t) => `[${t.shape.join(', ')}]`);
    if (new Set(shapes).size !== 1) {
      throw new CheckpointError('CHECKPOINT_ARCH_MISMATCH', `${slot}: query, key and value must have one shape, got ${shapes.join(', ')}`);
    }
    if (out.has(slot)) throw new CheckpointError('CHECKPOINT_ARCH_MISMATCH', `${slot}: the checkpoint has it both fused and as query/key/value; remove one`);
    out.set(slot, tf.concat([query, key, value], 0));
  }
  return { tensors: out, consumed };
}

/**
 * Maps a Hugging Face ViT state dict to timm's keys: renames, and fuses each layer's
 * query/key/value weights `[D, D]` (and biases) into `blocks.N.attn.qkv` `[3D, D]`. The fused
 * tensors are new (the caller disposes them); the renamed ones are the same objects. Keys no rule
 * knows pass through under their own names (a strict load reports them as unexpected).
 *
 * @example
 * const sd = mapHfKeys(tensors);
 * sd.get('blocks.0.attn.qkv.weight')!.shape; // [3 * 768, 768]
 */
export function mapHfKeys(stateDict: ReadonlyMap<string, tf.Tensor>): Map<string, tf.Tensor> {
  return mapKeepingUnknown(hfKeyMapping, stateDict);
}
