import * as tf from '@tensorflow/tfjs-core';
import { describeBackends } from '@tfjs-vit/testing';
import { expect, it } from 'vitest';
import { disposeAll, expected, expectMatches, fixtureBytes, fixturePath } from './fixtures.testutil';
import { openCheckpoint, readCheckpoint } from './read_checkpoint';
import { isTensorEntry } from './checkpoint';

describeBackends('torch zip checkpoints (torch.save default format)', () => {
  it('reads every dtype, views and shared storages exactly as PyTorch wrote them (path in)', async () => {
    const { format, tensors } = await readCheckpoint(fixturePath('state_zip.pth'));
    expect(format).toBe('torch-zip');
    expectMatches(tensors, 'state');
    expect(tensors.get('f16')!.dtype).toBe('float32');
    expect(tensors.get('i64')!.dtype).toBe('int32');
    expect(tensors.get('bool')!.dtype).toBe('bool');
    disposeAll(tensors);
  });

  it('reads the same from bytes as from a path, and keeps the key order of the state dict', async () => {
    const { tensors } = await readCheckpoint(fixtureBytes('state_zip.pth'));
    expect([...tensors.keys()]).toEqual(JSON.parse(expected.meta.state_keys));
    expectMatches(tensors, 'state');
    disposeAll(tensors);
  });

  it.each(['state_zip_v2_layout.pth', 'state_zip_big_endian.pth'])(
    'reads %s (torch 2.x layout: archive/ prefix, byteorder, .data/serialization_id)',
    async (file) => {
      const { format, tensors } = await readCheckpoint(fixtureBytes(file));
      expect(format).toBe('torch-zip');
      expectMatches(tensors, 'state');
      disposeAll(tensors);
    },
  );

  it('reads a nested training checkpoint: tensors flattened, the rest as plain values', async () => {
    const { tensors, meta } = await readCheckpoint(fixtureBytes('nested_zip.pth'));
    expectMatches(tensors, 'nested');
    const root = meta.object as Map<string, unknown>;
    expect(root.get('epoch')).toBe(Number(expected.meta.epoch));
    expect(root.get('best_acc')).toBe(Number(expected.meta.best_acc));
    expect(root.get('big')).toBe(BigInt(expected.meta.big));
    expect(root.get('tags')).toEqual(new Set(['a', 'b']));
    expect(new TextDecoder().decode(root.get('raw') as Uint8Array)).toBe('\0\x01binary');
    expect(root.get('dtype')).toBe('torch.float16');
    expect(root.get('size')).toEqual([1, 197, 192]);
    const groups = (root.get('optimizer') as Map<string, unknown>).get('param_groups') as Map<string, unknown>[];
    expect(groups[0].get('params')).toEqual([0, 1]);
    expect(groups[0].get('name')).toBeNull();
    expect(isTensorEntry((root.get('model') as Map<string, unknown>).get('head.weight'))).toBe(true);
    disposeAll(tensors);
  });

  it('lists entries lazily: dtype and shape without reading, and a filter skips the optimizer', async () => {
    const ckpt = await openCheckpoint(fixturePath('nested_zip.pth'));
    expect(ckpt.entries.get('model.bn.num_batches_tracked')!.dtype).toBe('int64');
    expect(ckpt.entries.get('optimizer.state.0.exp_avg')!.shape).toEqual([3, 4]);
    ckpt.close();
    const before = tf.memory().numTensors;
    const { tensors } = await readCheckpoint(fixturePath('nested_zip.pth'), { filter: (k) => k.startsWith('model.') });
    expect([...tensors.keys()]).toEqual(['model.head.weight', 'model.head.bias', 'model.bn.num_batches_tracked']);
    disposeAll(tensors);
    expect(tf.memory().numTensors).toBe(before);
  });
});
