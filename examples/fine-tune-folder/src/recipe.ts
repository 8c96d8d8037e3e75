// Seed 004's recipe with its own defaults, on @tfjs-vit/train's fineTune: timm's in21k ViT-B/16,
// a fresh head per class folder, the backbone frozen, 10 epochs at batch 8, AdamW lr 1e-3 + cosine.
import { fineTune, type FineTuneOptions, type FineTuneResult } from '@tfjs-vit/train';

/** fineTune's options, every one but `data` with seed 004's default. */
export type Seed004Options = Partial<FineTuneOptions> & Pick<FineTuneOptions, 'data'>;

/**
 * Fine-tunes as seed 004 does (flower classification, head-only training, 80/20 split with seed 0).
 *
 * @example
 * ```ts
 * const r = await seed004({ data: 'flower_photos', weights: 'jx_vit_base_patch16_224_in21k-e5005f0a.pth' });
 * ```
 */
export function seed004(o: Seed004Options): Promise<FineTuneResult> {
  return fineTune({ model: 'vit_base_patch16_224_in21k', mode: 'freeze-backbone', epochs: 10, batchSize: 8, lr: 1e-3, valSplit: 0.2, seed: 0, out: 'runs/fine-tune', ...o });
}
