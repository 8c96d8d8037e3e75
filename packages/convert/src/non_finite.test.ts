// Formats without checksums: a NaN or ±Inf weight is refused by name unless the caller allows it.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { createViT, type VisionTransformer } from '@tfjs-vit/models';
import { beforeAll, describe, expect, it } from 'vitest';
import { fromTimm } from './from_timm';
import { fromTfjsArtifacts, loadModel } from './load_model';
import { countNonFinite, NonFiniteWeightError } from './non_finite';
import { serializeSafetensors } from './safetensors_write';
import { toTfjsArtifacts } from './tfjs_format';
import { saveTfjsModel } from './tfjs_format_save';
import { loadTimmCheckpoint } from './timm_load';
import { readTimmStateDict } from './timm_state_dict';

const CONFIG = { imgSize: 32, patchSize: 8, embedDim: 32, depth: 2, numHeads: 4, numClasses: 10 };

/** A small ViT's state dict with NaN at two places of blocks.1.mlp.fc1.weight and Inf in head.bias. */
function corruptStateDict(): Map<string, tf.Tensor> {
  const model = createViT(CONFIG);
  const sd = model.stateDict();
  model.dispose();
  const poke = (key: string, at: number[], v: number) => {
    const t = sd.get(key)!;
    const values = t.dataSync().slice();
    for (const i of at) values[i] = v;
    sd.set(key, tf.tensor(values, t.shape));
    t.dispose();
  };
  poke('blocks.1.mlp.fc1.weight', [3, 700], Number.NaN);
  poke('head.bias', [0], Number.POSITIVE_INFINITY);
  return sd;
}

describe('non-finite weights', () => {
  let safetensors: Uint8Array;
  beforeAll(async () => {
    await tf.setBackend('cpu');
    const sd = corruptStateDict();
    safetensors = serializeSafetensors(sd);
    tf.dispose([...sd.values()]);
  });

  it('countNonFinite counts NaN and both infinities, nothing else', () => {
    expect(countNonFinite([0, Number.NaN, 1, Number.POSITIVE_INFINITY, -Number.MAX_VALUE, Number.NEGATIVE_INFINITY])).toBe(3);
    expect(countNonFinite(new Float32Array(4))).toBe(0);
  });

  it('loadTimmCheckpoint names the first key with NaN/Inf and its count; allowNonFinite loads and reports them', async () => {
    const vit = createViT(CONFIG);
    const err = await loadTimmCheckpoint(vit, safetensors).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NonFiniteWeightError);
    expect((err as NonFiniteWeightError).code).toBe('CHECKPOINT_NON_FINITE');
    expect((err as NonFiniteWeightError).key).toBe('blocks.1.mlp.fc1.weight');
    expect((err as NonFiniteWeightError).count).toBe(2);
    expect((err as Error).message).toMatch(/^blocks\.1\.mlp\.fc1\.weight: 2 of its 4096 values are NaN or infinite .* allowNonFinite: true/);
    const report = await loadTimmCheckpoint(vit, safetensors, { allowNonFinite: true });
    expect(report.nonFinite).toEqual([{ key: 'blocks.1.mlp.fc1.weight', count: 2 }, { key: 'head.bias', count: 1 }]);
    expect(Number.isNaN(vit.stateDict().get('blocks.1.mlp.fc1.weight')!.dataSync()[3])).toBe(true);
    vit.dispose();
  });

  it('fromTimm and readTimmStateDict refuse the file and leave no tensor behind', async () => {
    const before = tf.memory().numTensors;
    await expect(readTimmStateDict(safetensors)).rejects.toThrow(/^blocks\.1\.mlp\.fc1\.weight: 2 of its 4096 values/);
    (await readTimmStateDict(safetensors, { allowNonFinite: true })).dispose();
    await expect(fromTimm(safetensors, { model: { numHeads: 4 } })).rejects.toThrow(NonFiniteWeightError);
    expect(tf.memory().numTensors).toBe(before);
    (await fromTimm(safetensors, { model: { numHeads: 4 }, allowNonFinite: true })).dispose();
  });

  it('the tfjs web format: fromTfjsArtifacts and loadModel refuse it, and allow it when asked', async () => {
    const model: VisionTransformer = createViT(CONFIG);
    const sd = corruptStateDict();
    model.loadStateDict(sd);
    tf.dispose([...sd.values()]);
    const artifacts = toTfjsArtifacts(model);
    expect(() => fromTfjsArtifacts(artifacts)).toThrow(/^blocks\.1\.mlp\.fc1\.weight: 2 of its 4096 values/);
    fromTfjsArtifacts(artifacts, { allowNonFinite: true }).dispose();
    // float16 shards: NaN and Inf survive the conversion (all-ones exponent) and are found in the bytes
    const half = toTfjsArtifacts(model, { dtype: 'float16' });
    expect(() => fromTfjsArtifacts(half)).toThrow(/^blocks\.1\.mlp\.fc1\.weight: 2 of its 4096 values/);
    const dir = mkdtempSync(join(tmpdir(), 'tfjs-vit-nonfinite-'));
    await saveTfjsModel(model, dir);
    const before = tf.memory().numTensors;
    await expect(loadModel(dir)).rejects.toThrow(NonFiniteWeightError);
    expect(tf.memory().numTensors).toBe(before);
    (await loadModel(dir, { allowNonFinite: true })).dispose();
    model.dispose();
  });
});
