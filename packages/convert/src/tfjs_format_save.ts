// Writes the tfjs web format to a directory (Node): model.json and its ≤ 4 MiB shards.
import type { VisionTransformer } from '@tfjs-vit/models';
import { toTfjsArtifacts, type TfjsModelJson, type TfjsSaveOptions } from './tfjs_format';

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
  const fs = await import('node:fs/promises');
  const path = await import('node:path');
  const { modelJson, shards } = toTfjsArtifacts(model, options);
  await fs.mkdir(dir, { recursive: true });
  const paths = modelJson.weightsManifest[0].paths;
  const shardPaths: string[] = [];
  let totalBytes = 0;
  for (let i = 0; i < shards.length; i++) {
    const p = path.join(dir, paths[i]);
    await fs.writeFile(p, shards[i]);
    shardPaths.push(p);
    totalBytes += shards[i].length;
    options.onShard?.(i + 1, shards.length);
  }
  const text = JSON.stringify(modelJson);
  const modelJsonPath = path.join(dir, 'model.json');
  await fs.writeFile(modelJsonPath, text);
  totalBytes += Buffer.byteLength(text);
  return { modelJsonPath, shardPaths, modelJson, totalBytes };
}
