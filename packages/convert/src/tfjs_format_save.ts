// Writes the tfjs web format to a directory (Node): model.json and its ≤ 4 MiB shards.
import type { VisionTransformer } from '@tfjs-vit/models';
import { importNode } from '@tfjs-vit/ops';
import { type AtomicFile, openAtomicFile } from './atomic_file';
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
 * `onShard(done, total)` reports progress after each file. Every file is written under a temporary
 * name and renamed into place only when all are complete (model.json last), so an interrupted save
 * leaves the previous model in `dir` as it was.
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
  const files: AtomicFile[] = [];
  let totalBytes = 0;
  const modelJsonPath = path.join(dir, 'model.json');
  try {
    // Shards are written as they fill (synchronously), so a multi-GB model never sits in memory
    // twice; each goes to a temporary name first. Only when every file is complete are they renamed
    // into place, model.json last: an interrupted save leaves the previous model as it was.
    const modelJson = writeTfjsShards(model, options, (i, shard, count, name) => {
      const file = openAtomicFile(fs, path.join(dir, name));
      files.push(file);
      file.write(shard);
      file.commit({ rename: false });
      shardPaths.push(file.path);
      totalBytes += shard.length;
      options.onShard?.(i + 1, count);
    });
    const text = JSON.stringify(modelJson);
    const json = openAtomicFile(fs, modelJsonPath);
    files.push(json);
    json.write(text);
    json.commit({ rename: false });
    totalBytes += Buffer.byteLength(text);
    for (const f of files) fs.renameSync(f.tempPath, f.path);
    return { modelJsonPath, shardPaths, modelJson, totalBytes };
  } catch (e) {
    for (const f of files) {
      f.abort();
      fs.rmSync(f.tempPath, { force: true });
    }
    throw e;
  }
}
