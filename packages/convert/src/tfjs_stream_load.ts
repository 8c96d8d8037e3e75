// Loading tfjs-format weights into a model shard by shard: every key and shape is checked against
// the manifest first, then each weight is decoded from the shards that hold it, written into its
// parameter and freed; a shard is dropped once read past. Memory: the model plus a shard or two.
import * as tf from '@tensorflow/tfjs-core';
import { withZeroInit } from '@tfjs-vit/layers';
import { createViT, type VisionTransformer } from '@tfjs-vit/models';
import { checkManifestFits } from './model_json_check';
import { NonFiniteWeightError, storedNonFinite } from './non_finite';
import { numel } from './tensor_entry';
import { checkShard, groupBytes, optionsOf, TfjsFormatError, weightBytes, type TfjsModelJson } from './tfjs_format';

/** Throws StateDictError unless the manifest holds exactly the model's keys with its shapes. */
function checkManifest(model: VisionTransformer, modelJson: TfjsModelJson): void {
  checkManifestFits(modelJson.weightsManifest, new Map(model.namedParameters('', { includeBuffers: true }).map(([k, p]) => [k, p.stateShape])));
}

/**
 * Builds the model a model.json describes (without random init) and loads its weights strictly,
 * reading shards through `shard(path)` one at a time. Any key or shape that does not fit throws
 * `StateDictError` before a shard is read; shard sizes that do not fit the manifest throw
 * `TfjsFormatError`, and so does a shard whose CRC-32 is not the one model.json records;
 * `options.onChecked(path, bytes)` is awaited after each shard passed that check. A weight holding
 * NaN or ±Inf throws `NonFiniteWeightError` unless `options.allowNonFinite`. The model is returned
 * in eval mode; a failed load disposes it.
 *
 * @example
 * const model = await loadTfjsStreaming(modelJson, (p) => fs.promises.readFile(join(dir, p)));
 */
export async function loadTfjsStreaming(
  modelJson: TfjsModelJson,
  shard: (path: string) => Promise<Uint8Array>,
  options: { onChecked?: (path: string, bytes: Uint8Array) => void | Promise<void>; allowNonFinite?: boolean } = {},
): Promise<VisionTransformer> {
  const read = async (group: TfjsModelJson['weightsManifest'][number], index: number) => {
    const bytes = await shard(group.paths[index]);
    checkShard(group, index, bytes);
    await options.onChecked?.(group.paths[index], bytes);
    return bytes;
  };
  const model = withZeroInit(() => createViT(optionsOf(modelJson)));
  try {
    checkManifest(model, modelJson);
    const params = new Map(model.namedParameters('', { includeBuffers: true }));
    for (const group of modelJson.weightsManifest) {
      const pending: Uint8Array[] = []; // shards not yet read past, the first starting at `base`
      let base = 0; // group offset of pending[0]
      let held = 0; // bytes in pending
      let next = 0; // next shard path to read
      let at = 0; // group offset of the next weight
      const need = groupBytes(group);
      for (const w of group.weights) {
        const bytes = weightBytes(w);
        while (base + held < at + bytes) {
          if (next >= group.paths.length) throw new TfjsFormatError(`weightsManifest: the weights need ${need} bytes, the shards ${group.paths.join(', ')} hold ${base + held}`);
          const s = await read(group, next++);
          pending.push(s);
          held += s.length;
        }
        const data = new Uint8Array(bytes); // this weight's bytes, copied out of one or more shards
        let filled = 0;
        let offset = base;
        for (const s of pending) {
          const from = Math.max(at - offset, 0);
          const to = Math.min(at + bytes - offset, s.length);
          if (to > from) {
            data.set(s.subarray(from, to), filled);
            filled += to - from;
          }
          offset += s.length;
        }
        const bad = storedNonFinite(w, data);
        if (bad && !options.allowNonFinite) throw new NonFiniteWeightError(w.name, bad, numel(w.shape));
        const t = tf.io.decodeWeights(data.buffer, [w as tf.io.WeightsManifestEntry])[w.name];
        const p = params.get(w.name)!;
        tf.tidy(() => p.variable.assign(tf.cast(p.layout.fromState(t), p.variable.dtype)));
        t.dispose();
        at += bytes;
        while (pending.length && base + pending[0].length <= at) {
          base += pending[0].length;
          held -= pending[0].length;
          pending.shift();
        }
      }
      // the rest of the group's shards must be empty: sizes must add up exactly
      let extra = held - (at - base);
      while (next < group.paths.length) extra += (await read(group, next++)).length;
      if (extra !== 0) throw new TfjsFormatError(`weightsManifest: the weights need ${need} bytes, the shards ${group.paths.join(', ')} hold ${need + extra}`);
    }
  } catch (e) {
    model.dispose();
    throw e;
  }
  return model.eval();
}
