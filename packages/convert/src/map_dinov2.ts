// Meta's DINOv2 hub checkpoints (`dinov2_vits14_pretrain.pth`, `…_reg4_pretrain.pth`) → timm keys
// and layouts, as timm's `_convert_dinov2` converts them. The keys are timm's already except:
// `mask_token` (iBOT masking, unused at inference) is dropped; the SwiGLU MLP's `w12`/`w3` are
// timm's packed `fc1`/`fc2`; and with registers Meta's `pos_embed` covers the class token
// (its row 0), which timm's no-embed-class model folds into `cls_token`.
import * as tf from '@tensorflow/tfjs-core';
import { CheckpointError } from './errors';
import { type KeyRule, renameKey } from './key_rules';

/** DINOv2 key patterns → timm keys, first match wins (all others are timm's already). */
export const DINOV2_RULES: readonly KeyRule[] = [
  [/^register_tokens$/, 'reg_token'],
  [/^(blocks\.\d+\.mlp\.)w12\./, '$1fc1.'],
  [/^(blocks\.\d+\.mlp\.)w3\./, '$1fc2.'],
];

/** The keys mapped together: with registers, `cls_token` and `pos_embed` depend on each other. */
export const DINOV2_PREFIX_TOKEN_KEYS = ['cls_token', 'pos_embed', 'register_tokens'] as const;

function shapeText(t: tf.Tensor | undefined): string {
  return t ? `[${t.shape.join(', ')}]` : 'missing';
}

/**
 * Maps a DINOv2 state dict in Meta's layout to timm's, as timm's `_convert_dinov2`: drops
 * `mask_token`, renames `register_tokens` → `reg_token` and `mlp.w12`/`mlp.w3` → `mlp.fc1`/`mlp.fc2`,
 * and, when there are registers, `cls_token + pos_embed[:, 0]` → `cls_token` and
 * `pos_embed[:, 1:]` → `pos_embed` (timm's reg4 models embed positions of the patches only).
 * A register checkpoint without `cls_token` or `pos_embed`, or with shapes that disagree, is a
 * `CheckpointError`. New tensors (the folded class token, the sliced pos_embed) are new; renamed
 * ones are the same objects.
 *
 * @example
 * const sd = mapDinov2Keys(tensors); // register_tokens [1, 4, 384] → reg_token; pos_embed [1, 1370, 384] → [1, 1369, 384]
 */
export function mapDinov2Keys(stateDict: ReadonlyMap<string, tf.Tensor>): Map<string, tf.Tensor> {
  const out = new Map<string, tf.Tensor>();
  for (const [k, t] of stateDict) {
    if (k === 'mask_token') continue;
    out.set(renameKey(k, DINOV2_RULES), t);
  }
  const reg = stateDict.get('register_tokens');
  if (reg) {
    const cls = stateDict.get('cls_token');
    const pos = stateDict.get('pos_embed');
    const dim = reg.shape[reg.rank - 1];
    const fits = cls && pos && reg.rank === 3 && cls.rank === 3 && pos.rank === 3 && cls.shape[1] === 1 && pos.shape[0] === 1 && pos.shape[1]! > 1 &&
      cls.shape[2] === dim && pos.shape[2] === dim;
    if (!fits) {
      throw new CheckpointError('CHECKPOINT_ARCH_MISMATCH',
        `DINOv2 with registers: expected register_tokens [1, R, D], cls_token [1, 1, D] and pos_embed [1, 1 + N, D] (its first row is the class token's); ` +
        `got register_tokens ${shapeText(reg)}, cls_token ${shapeText(cls)}, pos_embed ${shapeText(pos)}`);
    }
    const [, tokens, d] = pos.shape as [number, number, number];
    out.set('cls_token', tf.tidy(() => tf.add(cls, tf.slice(pos, [0, 0, 0], [1, 1, d]))));
    out.set('pos_embed', tf.slice(pos, [0, 1, 0], [1, tokens - 1, d]));
  }
  return out;
}
