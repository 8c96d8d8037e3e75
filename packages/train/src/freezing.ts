// Freezing recipes of the seeds: a linear probe (train only the head, seed 004) and freezing the
// stem plus the first N blocks (seed 000). Frozen parameters get no gradients and no optimizer state.
import type { Module } from '@tfjs-vit/layers';
import { ArgumentError } from '@tfjs-vit/ops';

function applyFreeze(model: Module, keep: (name: string) => boolean): string[] {
  const trainable: string[] = [];
  for (const [name, p] of model.namedParameters()) {
    p.trainable = keep(name);
    if (p.trainable) trainable.push(name);
  }
  return trainable;
}

/**
 * Freezes every parameter except the classifier: names under `head.`, `head_dist.` (DeiT's
 * distillation head) and `pre_logits.` (and `fc_norm.` with `includeFcNorm`). Returns the names
 * left trainable; throws if none is.
 *
 * @example
 * ```ts
 * linearProbe(vit); // ['head.weight', 'head.bias']
 * const optimizer = new AdamW(paramGroupsWeightDecay(vit, 0.05), { lr: 1e-3 });
 * ```
 */
export function linearProbe(model: Module, options: { prefixes?: string[]; includeFcNorm?: boolean } = {}): string[] {
  const prefixes = options.prefixes ?? ['head.', 'head_dist.', 'pre_logits.', ...(options.includeFcNorm ? ['fc_norm.'] : [])];
  const trainable = applyFreeze(model, (n) => prefixes.some((p) => n.startsWith(p)));
  if (trainable.length === 0) throw new ArgumentError(`linearProbe: no parameter starts with ${prefixes.join(' / ')}`);
  return trainable;
}

/**
 * Freezes the patch embedding, `cls_token`, `reg_token`, `pos_embed` and `blocks.0` … `blocks.{numBlocks−1}`
 * (seed 000 freezes the first 8 of 12); everything else is trainable. Returns the trainable names.
 *
 * @example
 * ```ts
 * freezeEarlyLayers(vit, 8);
 * ```
 */
export function freezeEarlyLayers(model: Module, numBlocks: number): string[] {
  if (!(Number.isInteger(numBlocks) && numBlocks >= 0)) throw new ArgumentError(`numBlocks: expected an integer ≥ 0, got ${numBlocks}`);
  return applyFreeze(model, (n) => {
    if (/^(patch_embed\.|cls_token$|reg_token$|pos_embed$)/.test(n)) return false;
    const m = /^blocks\.(\d+)\./.exec(n);
    return !(m && Number(m[1]) < numBlocks);
  });
}
