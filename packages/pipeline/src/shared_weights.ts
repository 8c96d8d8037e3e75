// A model's weights in one SharedArrayBuffer, so the threads of a predict pool read one copy the
// main thread loaded instead of each parsing the checkpoint again. Kept in the model's own layouts
// (a Linear's `[in, out]`), so a worker's model takes them as they are, without a transpose.
import * as tf from '@tensorflow/tfjs-core';
import type { VisionTransformer } from '@tfjs-vit/models';
import { ArgumentError } from '@tfjs-vit/ops';

/** One parameter's place in {@link SharedWeights.buffer} (in elements of 4 bytes). */
export interface SharedWeightEntry {
  key: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  offset: number;
  length: number;
}

/** Every parameter and buffer of a model, in one SharedArrayBuffer (structured-clones without a copy). */
export interface SharedWeights {
  buffer: SharedArrayBuffer;
  entries: SharedWeightEntry[];
}

/**
 * Copies `model`'s parameters and buffers (internal layouts) into one SharedArrayBuffer.
 *
 * @example
 * ```ts
 * const shared = shareWeights(model);
 * new Worker(file, { workerData: { shared } }); // the worker reads the same memory
 * ```
 */
export function shareWeights(model: VisionTransformer): SharedWeights {
  const params = model.namedParameters('', { includeBuffers: true });
  const entries: SharedWeightEntry[] = [];
  let total = 0;
  for (const [key, p] of params) {
    const v = p.variable;
    if (v.dtype !== 'float32' && v.dtype !== 'int32') throw new ArgumentError(`shareWeights: ${key} is ${v.dtype}; only float32 and int32 are shared`);
    entries.push({ key, shape: [...v.shape], dtype: v.dtype, offset: total, length: v.size });
    total += v.size;
  }
  const buffer = new SharedArrayBuffer(total * 4);
  params.forEach(([, p], i) => {
    const e = entries[i]!;
    const values = p.variable.dataSync();
    if (e.dtype === 'float32') new Float32Array(buffer, e.offset * 4, e.length).set(values);
    else new Int32Array(buffer, e.offset * 4, e.length).set(values);
  });
  return { buffer, entries };
}

/**
 * Loads weights made by {@link shareWeights} into `model` (built with the same config). Every key,
 * shape and dtype is checked first; a mismatch names the first parameter that differs.
 *
 * @example
 * ```ts
 * const twin = createViT(configOf(model)).eval();
 * loadSharedWeights(twin, shareWeights(model)); // twin's logits equal model's
 * ```
 */
export function loadSharedWeights(model: VisionTransformer, shared: SharedWeights): void {
  const own = model.namedParameters('', { includeBuffers: true });
  const byKey = new Map(shared.entries.map((e) => [e.key, e]));
  if (own.length !== shared.entries.length) {
    const missing = own.find(([k]) => !byKey.has(k))?.[0] ?? shared.entries.find((e) => !own.some(([k]) => k === e.key))?.key;
    throw new ArgumentError(`shared weights: ${shared.entries.length} tensors for a model of ${own.length} (first not in both: ${missing})`);
  }
  for (const [key, p] of own) {
    const e = byKey.get(key);
    if (!e) throw new ArgumentError(`shared weights: no tensor for ${key}`);
    if (e.dtype !== p.variable.dtype || e.shape.join() !== p.variable.shape.join()) {
      throw new ArgumentError(`shared weights: ${key}: expected ${p.variable.dtype} [${p.variable.shape}], got ${e.dtype} [${e.shape}]`);
    }
  }
  for (const [key, p] of own) {
    const e = byKey.get(key)!;
    const values = e.dtype === 'float32' ? new Float32Array(shared.buffer, e.offset * 4, e.length) : new Int32Array(shared.buffer, e.offset * 4, e.length);
    const t = tf.tensor(values, e.shape, e.dtype);
    p.variable.assign(t);
    t.dispose();
  }
}
