// model.json as a hostile user writes it: every bad field is a typed error naming its path, raised
// before a tensor is allocated (the speed of the refusal is not asserted; that nothing was built is).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { StateDictError } from '@tfjs-vit/layers';
import { createViT } from '@tfjs-vit/models';
import { beforeAll, describe, expect, it } from 'vitest';
import { fromTfjsArtifacts, loadModel } from './load_model';
import { type TfjsModelJson, TfjsFormatError, toTfjsArtifacts } from './tfjs_format';
import { saveTfjsModel } from './tfjs_format_save';

let good: { modelJson: TfjsModelJson; shards: Uint8Array[] };

beforeAll(async () => {
  await tf.setBackend('cpu');
  const model = createViT({ imgSize: 32, patchSize: 8, embedDim: 32, depth: 2, numHeads: 4, numClasses: 10 });
  good = toTfjsArtifacts(model, { dtype: 'uint8', shardBytes: 4096 });
  model.dispose();
});

/** A copy of the good model.json with `edit` applied. */
function edited(edit: (j: TfjsModelJson & Record<string, unknown>) => void): TfjsModelJson {
  const j = structuredClone(good.modelJson) as TfjsModelJson & Record<string, unknown>;
  edit(j);
  return j;
}

/** Loads `modelJson` with the good shards; returns the error, checking nothing was left allocated. */
function refusal(modelJson: unknown): Error {
  const before = tf.memory().numTensors;
  let error: unknown;
  try {
    fromTfjsArtifacts({ modelJson, shards: good.shards }).dispose();
  } catch (e) {
    error = e;
  }
  expect(tf.memory().numTensors).toBe(before);
  expect(error, 'loaded').toBeInstanceOf(Error);
  return error as Error;
}

describe('model.json is checked before anything is allocated', () => {
  it('the good file loads', () => {
    fromTfjsArtifacts(good).dispose();
  });

  it('config sizes that would hang model construction (depth or width of 1e6–1e9)', () => {
    for (const [field, value] of [['depth', 1e6], ['depth', 1e9], ['embedDim', 1e9], ['numHeads', 1e6], ['imgSize', [1e6, 1e6]], ['mlpRatio', 1e6]] as const) {
      const e = refusal(edited((j) => ((j.config as Record<string, unknown>)[field] = value)));
      expect(e, field).toBeInstanceOf(TfjsFormatError);
      expect(e.message).toMatch(new RegExp(`^model\\.json: config\\.${field} must be `));
    }
  });

  it('config values of the wrong kind, and fields that do not exist', () => {
    const cases: [string, unknown, RegExp][] = [
      ['depth', -1, /config\.depth must be an integer in \[0, 1024\], got -1/],
      ['depth', 2.5, /config\.depth must be an integer/],
      ['depth', '2', /config\.depth must be an integer .* got "2"/],
      ['globalPool', 'median', /config\.globalPool must be one of "token", "avg"/],
      ['qkvBias', 1, /config\.qkvBias must be true or false, got 1/],
      ['dropRate', 2, /config\.dropRate must be a number in \[0, 1\]/],
      ['patchSize', [8, 0], /config\.patchSize must be an integer in \[1, 1024\] or a pair of them, got \[8,0\]/],
      ['initValues', Number.NaN, /config\.initValues must be a finite number/],
    ];
    for (const [field, value, message] of cases) {
      const e = refusal(edited((j) => ((j.config as Record<string, unknown>)[field] = value)));
      expect(e, field).toBeInstanceOf(TfjsFormatError);
      expect(e.message, field).toMatch(message);
    }
    expect(refusal(edited((j) => ((j.config as Record<string, unknown>).evil = 1))).message).toMatch(/config\.evil is not a VisionTransformer config field/);
    expect(refusal(edited((j) => (j.layerNormEps = -1))).message).toMatch(/layerNormEps must be a number in \(0, 1\)/);
  });

  it('a config within bounds but too large for maxParameters is refused; the option raises the bound', () => {
    const huge = edited((j) => Object.assign(j.config, { depth: 1024, embedDim: 16384, numHeads: 16 }));
    const e = refusal(huge);
    expect(e).toBeInstanceOf(TfjsFormatError);
    expect(e.message).toMatch(/config describes \d{12,} parameters, more than the 1073741824 allowed \(maxParameters\)/);
    expect(() => fromTfjsArtifacts({ modelJson: good.modelJson, shards: good.shards }, { maxParameters: 100 })).toThrow(/more than the 100 allowed/);
  });

  it('weight entries: shape, dtype, quantization and name, each naming its path', () => {
    const w0 = (j: TfjsModelJson) => j.weightsManifest[0]!.weights[0] as unknown as Record<string, unknown>;
    const cases: [(w: Record<string, unknown>) => void, RegExp][] = [
      [(w) => (w.shape = null), /weightsManifest\[0\]\.weights\[0\]\.shape must be an array of at most 8 non-negative integers, got null/],
      [(w) => (w.shape = [1, -2]), /weights\[0\]\.shape must be an array/],
      [(w) => (w.shape = [65536, 65536]), /weights\[0\]\.shape must be at most 2147483647 elements/],
      [(w) => (w.dtype = 'string'), /weights\[0\]\.dtype must be one of float32, int32, bool, got "string"/],
      [(w) => (w.dtype = 'complex64'), /weights\[0\]\.dtype must be one of/],
      [(w) => (w.dtype = null), /weights\[0\]\.dtype must be one of .* got null/],
      [(w) => (w.dtype = 'bogus'), /weights\[0\]\.dtype must be one of/],
      [(w) => (w.dtype = 'int32'), /weights\[0\]\.dtype must be "float32" \(every VisionTransformer weight is\), got "int32"/], // same bytes, other numbers
      [(w) => ((w.quantization as Record<string, unknown>).dtype = 'bogus'), /weights\[0\]\.quantization\.dtype must be one of float16, uint8, uint16, got "bogus"/],
      [(w) => ((w.quantization as Record<string, unknown>).scale = 'x'), /weights\[0\]\.quantization\.scale must be a positive finite number/],
      [(w) => (w.quantization = 7), /weights\[0\]\.quantization must be an object, got 7/],
      [(w) => (w.name = ''), /weights\[0\]\.name must be a string of 1 to 512 characters/],
    ];
    for (const [edit, message] of cases) {
      const e = refusal(edited((j) => edit(w0(j))));
      expect(e, String(message)).toBeInstanceOf(TfjsFormatError);
      expect(e.message).toMatch(message);
    }
    const twice = refusal(edited((j) => (j.weightsManifest[0]!.weights[1]!.name = j.weightsManifest[0]!.weights[0]!.name)));
    expect(twice.message).toMatch(/weights\[1\]\.name must be a name no other weight has/);
  });

  it('shard paths must stay in model.json\'s folder', () => {
    for (const p of ['../secret.bin', '/etc/passwd', 'a/../../b.bin', 'http://evil.example/x.bin', 'C:\\x.bin', '']) {
      const e = refusal(edited((j) => (j.weightsManifest[0]!.paths[0] = p)));
      expect(e, p).toBeInstanceOf(TfjsFormatError);
      expect(e.message).toMatch(/weightsManifest\[0\]\.paths\[0\] must be a relative file name/);
    }
  });

  it('keys and shapes that do not fit the config: the strict loader\'s report, before the model exists', () => {
    const e = refusal(edited((j) => (j.config.depth = 3)));
    expect(e).toBeInstanceOf(StateDictError);
    expect(e.message).toMatch(/does not fit the config: missing keys: blocks\.2\./);
  });

  it('shard files of the wrong size are refused before the model is built (sizes read with stat)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tfjs-vit-mjson-'));
    const model = createViT({ imgSize: 32, patchSize: 8, embedDim: 32, depth: 2, numHeads: 4, numClasses: 10 });
    const saved = await saveTfjsModel(model, dir, { shardBytes: 4096 });
    model.dispose();
    writeFileSync(saved.shardPaths[1]!, new Uint8Array(10));
    const before = tf.memory().numTensors;
    await expect(loadModel(dir)).rejects.toThrow(/weightsManifest\[0\]: the weights need \d+ bytes, the shards .* hold \d+/);
    expect(tf.memory().numTensors).toBe(before);
    const json = JSON.parse(await (await import('node:fs/promises')).readFile(join(dir, 'model.json'), 'utf8'));
    json.config.depth = 1e9;
    writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
    await expect(loadModel(dir)).rejects.toThrow(/config\.depth must be an integer in \[0, 1024\], got 1000000000/);
  });
});
