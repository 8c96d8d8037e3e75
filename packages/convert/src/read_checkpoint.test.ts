import { existsSync, readdirSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { describeBackends } from '@tfjs-vit/testing';
import { expect, it } from 'vitest';
import { checkpointError, disposeAll, fixtureBytes, fixturePath, makeSafetensors } from './fixtures.testutil';
import { openCheckpoint, readCheckpoint } from './read_checkpoint';

describeBackends('readCheckpoint', () => {
  it.each([
    ['state_zip.pth', 'torch-zip'],
    ['state_legacy.pth', 'torch-legacy'],
    ['expected.safetensors', 'safetensors'],
    ['jax_stored.npz', 'npz'],
    ['jax_deflated.npz', 'npz'],
    ['fortran.npy', 'npy'],
  ])('sniffs %s as %s, from a path and from bytes alike', async (file, format) => {
    const a = await readCheckpoint(fixturePath(file));
    const b = await readCheckpoint(fixtureBytes(file));
    expect(a.format).toBe(format);
    expect(b.format).toBe(format);
    expect([...a.tensors.keys()]).toEqual([...b.tensors.keys()]);
    for (const [k, t] of a.tensors) expect(Array.from(b.tensors.get(k)!.dataSync()), k).toEqual(Array.from(t.dataSync()));
    expect(a.meta.byteLength).toBe(fixtureBytes(file).length);
    disposeAll(a.tensors);
    disposeAll(b.tensors);
  });

  it('disposes what it made when a later tensor fails, and names the key', async () => {
    const data = new Uint8Array(16);
    new DataView(data.buffer).setBigInt64(8, 1n << 40n, true);
    const bytes = makeSafetensors({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'I64', shape: [1], data_offsets: [8, 16] } }, data);
    const before = tf.memory().numTensors;
    const err = await checkpointError(() => readCheckpoint(bytes), 'CHECKPOINT_OUT_OF_RANGE');
    expect(err.message).toMatch(/^b: .*int64 value 1099511627776 at element 0 does not fit in int32/);
    expect(tf.memory().numTensors).toBe(before);
  });
});

it('says what it found for garbage, empty, truncated and unrelated input', async () => {
  const garbage = await checkpointError(() => readCheckpoint(new TextEncoder().encode('<html>not a model</html>')), 'CHECKPOINT_UNKNOWN_FORMAT');
  expect(garbage.message).toMatch(/starts with 3c 68 74 6d/);
  await checkpointError(() => readCheckpoint(new Uint8Array(0)), 'CHECKPOINT_TRUNCATED');
  const zip = fixtureBytes('state_zip.pth');
  for (const cut of [10, 100, zip.length >> 1, zip.length - 30]) {
    await checkpointError(() => readCheckpoint(zip.subarray(0, cut)), 'CHECKPOINT_TRUNCATED');
  }
  // a zip that is neither torch nor npz: the malicious archive without its data.pkl name
  const other = fixtureBytes('malicious.pth');
  const text = new TextDecoder('latin1').decode(other);
  for (let i = text.indexOf('data.pkl'); i >= 0; i = text.indexOf('data.pkl', i + 1)) other[i] = 0x44; // 'Data.pkl'
  const unknown = await checkpointError(() => readCheckpoint(other), 'CHECKPOINT_UNKNOWN_FORMAT');
  expect(unknown.message).toMatch(/archive\/Data\.pkl/);
});

const openFds = () => readdirSync('/proc/self/fd').length;

it.skipIf(!existsSync('/proc/self/fd'))('closes the file when opening fails, and on close()', async () => {
  const before = openFds();
  for (let i = 0; i < 20; i++) await checkpointError(() => openCheckpoint(fixturePath('malicious_os_system_p2.pkl')), 'CHECKPOINT_UNSAFE_GLOBAL');
  expect(openFds()).toBe(before);
  const ckpt = await openCheckpoint(fixturePath('state_zip.pth'));
  expect(openFds()).toBe(before + 1);
  ckpt.close();
  ckpt.close(); // idempotent
  expect(openFds()).toBe(before);
});
