import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { describeBackends } from '@tfjs-vit/testing';
import { expect, it } from 'vitest';
import { disposeAll, expected, fixturePath } from './fixtures.testutil';
import { readCheckpoint } from './read_checkpoint';
import { saveSafetensors, serializeSafetensors } from './safetensors_write';

const PYTHON = '/usr/bin/python3';
const GEN = new URL('../../../tools/fixtures/gen_convert.py', import.meta.url).pathname;
const hasTorch = existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import torch'], { timeout: 60_000 }).status === 0;

/** The Linear(4, 3) weights PyTorch made, as our tensors, in the state dict's names. */
const linear = () => new Map([['weight', expected.tensor('roundtrip/weight')], ['bias', expected.tensor('roundtrip/bias')]]);

describeBackends('safetensors writer', () => {
  it('writes sorted keys, an 8-aligned space-padded header, contiguous offsets, and reads back exactly', async () => {
    const dict = new Map<string, tf.Tensor>([
      ['z.b', tf.tensor([[1, 2, 3]], [1, 3], 'int32')],
      ['a', tf.tensor([0.1, -2.5e-8, 3e20], [3])],
      ['m', tf.tensor([true, false], [2], 'bool')],
      ['s', tf.scalar(7)],
    ]);
    const bytes = serializeSafetensors(dict, { metadata: { format: 'pt' } });
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(n % 8).toBe(0);
    const text = new TextDecoder().decode(bytes.subarray(8, 8 + n));
    expect(text.trimEnd()).toBe(text.replace(/ +$/, ''));
    const header = JSON.parse(text);
    expect(Object.keys(header)).toEqual(['a', 'm', 's', 'z.b', '__metadata__']);
    expect(header.a.data_offsets).toEqual([0, 12]);
    expect(header.m).toEqual({ dtype: 'BOOL', shape: [2], data_offsets: [12, 14] });
    expect(header['z.b'].data_offsets).toEqual([18, 30]);
    expect(bytes.length).toBe(8 + n + 30);
    const { tensors, meta } = await readCheckpoint(bytes);
    expect(meta.metadata).toEqual({ format: 'pt' });
    for (const [k, t] of dict) {
      expect(tensors.get(k)!.dtype).toBe(t.dtype);
      expect(Array.from(tensors.get(k)!.dataSync())).toEqual(Array.from(t.dataSync()));
    }
    disposeAll(tensors);
    disposeAll(dict);
  });

  it('takes a module-like source and disposes the state-dict copies it made', () => {
    const module = { stateDict: linear };
    const before = tf.memory().numTensors;
    const bytes = serializeSafetensors(module);
    expect(tf.memory().numTensors).toBe(before);
    expect(bytes.length).toBeGreaterThan(15 * 4);
  });

  it('stores floats as float16 / bfloat16 on request, rounding like PyTorch', async () => {
    for (const floatDType of ['float16', 'bfloat16'] as const) {
      const { tensors } = await readCheckpoint(serializeSafetensors({ stateDict: linear }, { floatDType }));
      const w = expected.data('roundtrip/weight');
      const got = tensors.get('weight')!.dataSync();
      for (let i = 0; i < w.length; i++) expect(Math.abs(got[i] - w[i])).toBeLessThanOrEqual(Math.abs(w[i]) * (floatDType === 'float16' ? 2 ** -11 : 2 ** -8));
      disposeAll(tensors);
    }
  });
});

it.skipIf(!hasTorch)('writes files PyTorch loads: same tensors, same Linear outputs (F32, F16, BF16)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tfjs-vit-st-'));
  const paths: string[] = [];
  for (const floatDType of ['float32', 'float16', 'bfloat16'] as const) {
    const path = join(dir, `linear_${floatDType}.safetensors`);
    await saveSafetensors({ stateDict: linear }, path, { metadata: { format: 'pt' }, floatDType });
    expect(readFileSync(path).length).toBeGreaterThan(0);
    paths.push(path);
  }
  const run = spawnSync(PYTHON, [GEN, '--check-safetensors', fixturePath('expected.safetensors'), ...paths], { encoding: 'utf8', timeout: 120_000 });
  expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
  expect(run.stdout.match(/max abs diff 0\.0/g)).toHaveLength(3);
});
