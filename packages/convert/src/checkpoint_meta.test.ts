import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { expect, it } from 'vitest';
import { encodeModelMeta, MODEL_META_KEY, readModelMeta } from './checkpoint_meta';
import { CheckpointError } from './errors';
import { serializeSafetensors } from './safetensors_write';
import { openTimmStateDict } from './timm_stream';

const META = { model: 'vit_tiny_patch16_224', numHeads: 3, dataConfig: { inputSize: [3, 32, 32], interpolation: 'bilinear', mean: [0.5], std: [0.5], cropPct: 1, cropMode: 'squash' }, labels: ['cat', 'dog'] };

it('round-trips through a safetensors file next to timm’s format key', async () => {
  await tf.setBackend('cpu');
  const w = tf.zeros([4, 3, 8, 8]);
  const bytes = serializeSafetensors(new Map([['patch_embed.proj.weight', w]]), { metadata: { format: 'pt', ...encodeModelMeta(META) } });
  w.dispose();
  const stream = await openTimmStateDict(bytes);
  try {
    expect(stream.metadata?.format).toBe('pt');
    expect(readModelMeta(stream.metadata)).toEqual(META);
  } finally {
    stream.close();
  }
});

it('is null without the key and ignores fields it does not know', () => {
  expect(readModelMeta(undefined)).toBeNull();
  expect(readModelMeta({ format: 'pt' })).toBeNull();
  expect(readModelMeta({ [MODEL_META_KEY]: JSON.stringify({ numHeads: 2, future: { x: 1 } }) })).toEqual({ numHeads: 2 });
});

it.each([
  ['not json', '{', /is not JSON/],
  ['an array', '[1]', /expected an object/],
  ['fractional heads', JSON.stringify({ numHeads: 2.5 }), /numHeads: expected an integer in \[1, 4096\], got 2.5/],
  ['a billion heads', JSON.stringify({ numHeads: 1e9 }), /numHeads/],
  ['a 2-element input size', JSON.stringify({ dataConfig: { inputSize: [32, 32] } }), /dataConfig.inputSize: expected 3 finite numbers/],
  ['a zero input size', JSON.stringify({ dataConfig: { inputSize: [3, 0, 32] } }), /dataConfig.inputSize: expected positive integers/],
  ['a string mean', JSON.stringify({ dataConfig: { mean: ['0.5'] } }), /dataConfig.mean/],
  ['a negative crop', JSON.stringify({ dataConfig: { cropPct: -1 } }), /dataConfig.cropPct/],
  ['a numeric label', JSON.stringify({ labels: ['a', 7] }), /labels\[1\]: expected a string/],
  ['a huge label', JSON.stringify({ labels: ['x'.repeat(5000)] }), /labels\[0\]: expected a string of at most 1000 characters, got 5000/],
])('rejects %s with a CheckpointError naming the field', (_, raw, message) => {
  let err: unknown;
  try {
    readModelMeta({ [MODEL_META_KEY]: raw });
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(CheckpointError);
  expect((err as CheckpointError).code).toBe('CHECKPOINT_BAD_HEADER');
  expect((err as Error).message).toMatch(message);
});

it('refuses to write what it could not read back', () => {
  expect(() => encodeModelMeta({ numHeads: 0 })).toThrow(/numHeads/);
});
