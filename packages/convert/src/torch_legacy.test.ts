import { describeBackends } from '@tfjs-vit/testing';
import { expect, it } from 'vitest';
import { checkpointError, disposeAll, expected, expectMatches, fixtureBytes, fixturePath } from './fixtures.testutil';
import { readPickle } from './pickle';
import { readCheckpoint } from './read_checkpoint';
import { bytesSource } from './source';
import { STATE_DICT_GLOBALS, type StorageRef } from './torch_globals';

describeBackends('torch legacy checkpoints (_use_new_zipfile_serialization=False)', () => {
  it('reads every dtype, views and shared storages exactly as PyTorch wrote them', async () => {
    const { format, tensors } = await readCheckpoint(fixturePath('state_legacy.pth'));
    expect(format).toBe('torch-legacy');
    expect([...tensors.keys()]).toEqual(JSON.parse(expected.meta.state_keys));
    expectMatches(tensors, 'state');
    disposeAll(tensors);
  });

  it('reads a nested training checkpoint from bytes', async () => {
    const { tensors, meta } = await readCheckpoint(fixtureBytes('nested_legacy.pth'));
    expectMatches(tensors, 'nested');
    expect((meta.object as Map<string, unknown>).get('epoch')).toBe(Number(expected.meta.epoch));
    disposeAll(tensors);
  });

  it('refuses a wrong magic number', async () => {
    const bytes = fixtureBytes('state_legacy.pth');
    bytes[5] ^= 0xff; // inside the pickled magic number
    const err = await checkpointError(() => readCheckpoint(bytes), 'CHECKPOINT_BAD_MAGIC');
    expect(err.message).toMatch(/magic number is/);
  });

  it('refuses a file cut inside the storages, and one whose storage count lies', async () => {
    const bytes = fixtureBytes('state_legacy.pth');
    await checkpointError(() => readCheckpoint(bytes.subarray(0, bytes.length - 3)), 'CHECKPOINT_TRUNCATED');
    // Find where the storages start: after the five pickles.
    const plain = { globals: new Map() };
    let end = 0;
    for (let i = 0; i < 3; i++) end = readPickle(bytes, end, plain).end;
    const fake: StorageRef = { kind: 'storage', key: 'k', dtype: 'float32', numel: 1e6, source: bytesSource(bytes), byteOffset: () => 0 };
    end = readPickle(bytes, end, { globals: STATE_DICT_GLOBALS, persistentLoad: () => fake }).end;
    end = readPickle(bytes, end, plain).end;
    const lying = bytes.slice();
    new DataView(lying.buffer).setBigInt64(end, 12345n, true);
    const err = await checkpointError(() => readCheckpoint(lying), 'CHECKPOINT_BAD_OFFSETS');
    expect(err.message).toMatch(/has 12345 elements, the pickle says/);
  });
});
