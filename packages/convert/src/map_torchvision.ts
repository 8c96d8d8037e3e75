// torchvision's `vision_transformer` (vit_b_16 …) state dict → timm keys. torchvision's
// `in_proj_weight` is already q|k|v stacked as timm's fused qkv, and its Linear/Conv layouts are
// PyTorch's, so this is renames only. torchvision ≥ 0.12 names the MLP `mlp.0`/`mlp.3`, older
// releases `mlp.linear_1`/`mlp.linear_2`: both are accepted.
import type * as tf from '@tensorflow/tfjs-core';
import { type KeyRule, renameKeys } from './key_rules';

const BLOCK = String.raw`^encoder\.layers\.encoder_layer_(\d+)\.`;

/** torchvision key patterns → timm keys, first match wins. */
export const TORCHVISION_RULES: readonly KeyRule[] = [
  [/^class_token$/, 'cls_token'],
  [/^conv_proj\./, 'patch_embed.proj.'],
  [/^encoder\.pos_embedding$/, 'pos_embed'],
  [/^encoder\.ln\./, 'norm.'],
  [new RegExp(`${BLOCK}ln_1\\.`), 'blocks.$1.norm1.'],
  [new RegExp(`${BLOCK}ln_2\\.`), 'blocks.$1.norm2.'],
  [new RegExp(`${BLOCK}self_attention\\.in_proj_weight$`), 'blocks.$1.attn.qkv.weight'],
  [new RegExp(`${BLOCK}self_attention\\.in_proj_bias$`), 'blocks.$1.attn.qkv.bias'],
  [new RegExp(`${BLOCK}self_attention\\.out_proj\\.`), 'blocks.$1.attn.proj.'],
  [new RegExp(`${BLOCK}mlp\\.(?:0|linear_1)\\.`), 'blocks.$1.mlp.fc1.'],
  [new RegExp(`${BLOCK}mlp\\.(?:3|linear_2)\\.`), 'blocks.$1.mlp.fc2.'],
  [/^heads\.head\./, 'head.'],
  [/^heads\.(weight|bias)$/, 'head.$1'], // fine-tuning scripts that replace `model.heads` with one Linear
  [/^heads\.pre_logits\./, 'pre_logits.fc.'],
];

/**
 * Renames a torchvision ViT state dict to timm's keys (same tensors, same layouts). Unknown keys
 * pass through unchanged. torchvision's ViT is timm's with a class token, token pooling, qkv bias,
 * LayerNorm eps 1e-6 and exact GELU, so the result loads into the matching timm config.
 *
 * @example
 * const sd = mapTorchvisionKeys(tensors); // 'encoder.layers.encoder_layer_0.ln_1.weight' → 'blocks.0.norm1.weight'
 */
export function mapTorchvisionKeys<T = tf.Tensor>(stateDict: ReadonlyMap<string, T>): Map<string, T> {
  return renameKeys(stateDict, TORCHVISION_RULES);
}
