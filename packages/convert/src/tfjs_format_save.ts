// Writes the tfjs web format to a directory (Node): model.json and its ≤ 4 MiB shards.
import type { VisionTransformer } from '@tfjs-vit/models';
import { importNode } from '@tfjs-vit/ops';
import { writeTfjsShards, type TfjsModelJson, type TfjsSaveOptions } from './tfjs_format';

/** What `saveTfjsModel` wrote. */
export interface SavedTfjsModel {
  /** Path of model.json. */
  modelJsonPath: string;
  /** Paths of the shards, in manifest order. */
  shardPaths: string[];
  modelJson: TfjsModelJson;
  /** Bytes written across model.json and the shards. */
  totalBytes: number;
}

/**
 * Saves `model` in the tfjs web format under `dir` (created if needed): `model.json` with the
 * config and weightsManifest, and `group1-shardKofN.bin` files of at most 4 MiB (Node only).
 * `onShard(done, total)` reports progress after each file.
 *
 * @example
 * ```ts
 * await saveTfjsModel(createModel('vit_small_patch16_224'), 'web/vit_small', { dtype: 'float16' });
 * const model = await loadModel('web/vit_small'); // or loadModel('https://host/web/vit_small/model.json') in a browser
 * ```
 */
export async function saveTfjsModel(
  model: VisionTransformer,
  dir: string,
  options: TfjsSaveOptions & { onShard?: (done: number, total: number) => void } = {},
): Promise<SavedTfjsModel> {
  const fs = await importNode<typeof import('node:fs')>('node:fs');
  const path = await importNode<typeof import('node:path')>('node:path');
  fs.mkdirSync(dir, { recursive: true });
  const shardPaths: string[] = [];
  let totalBytes = 0;
  // Shards are written as they fill (synchronously), so a multi-GB model never sits in memory twice.
  const modelJson = writeTfjsShards(model, options, (i, shard, count, name) => {
    const p = path.join(dir, name);
    fs.writeFileSync(p, shard);
    shardPaths.push(p);
    totalBytes += shard.length;
    options.onShard?.(i + 1, count);
  });
  const text = JSON.stringify(modelJson);
  const modelJsonPath = path.join(dir, 'model.json');
  fs.writeFileSync(modelJsonPath, text);
  totalBytes += Buffer.byteLength(text);
  return { modelJsonPath, shardPaths, modelJson, totalBytes };
}
