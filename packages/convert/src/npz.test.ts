import { describeBackends } from '@tfjs-vit/testing';
import { expect, it } from 'vitest';
import { checkpointError, disposeAll, expected, expectMatches, fixtureBytes, fixturePath } from './fixtures.testutil';
import { openCheckpoint, readCheckpoint } from './read_checkpoint';

/** An .npy file with the given header dict text and data. */
function npy(header: string, data: Uint8Array): Uint8Array {
  const pad = 64 - ((10 + header.length + 1) % 64);
  const text = header + ' '.repeat(pad % 64) + '\n';
  const out = new Uint8Array(10 + text.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, text.length & 0xff, text.length >> 8]);
  out.set(new TextEncoder().encode(text), 10);
  out.set(data, 10 + text.length);
  return out;
}

describeBackends('NumPy .npz / .npy readers (JAX ViT layout)', () => {
  it.each(['jax_stored.npz', 'jax_deflated.npz'])('%s: every key and value as numpy wrote it', async (file) => {
    const { format, tensors } = await readCheckpoint(fixturePath(file));
    expect(format).toBe('npz');
    expect([...tensors.keys()].sort()).toEqual(JSON.parse(expected.meta.jax_keys));
    expectMatches(tensors, 'jax');
    expect(tensors.get('Transformer/encoderblock_0/LayerNorm_0/scale')!.dtype).toBe('float32'); // was <f8
    disposeAll(tensors);
  });

  it('reads a Fortran-order .npy as row-major, from bytes and lazily', async () => {
    const ckpt = await openCheckpoint(fixtureBytes('fortran.npy'));
    expect(ckpt.format).toBe('npy');
    const entry = ckpt.entries.get('array')!;
    expect(entry.shape).toEqual(JSON.parse(expected.meta.fortran_shape));
    expect(Array.from(entry.values())).toEqual(Array.from(expected.data('jax/head/kernel')));
    ckpt.close();
  });

  it('reads big-endian arrays', async () => {
    const { tensors } = await readCheckpoint(npy("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", new Uint8Array([0x3f, 0x80, 0, 0, 0xc0, 0, 0, 0])));
    expect(Array.from(tensors.get('array')!.dataSync())).toEqual([1, -2]);
    disposeAll(tensors);
  });
});

it('refuses object arrays, unknown dtypes, short data and broken headers with typed errors', async () => {
  const obj = await checkpointError(() => readCheckpoint(npy("{'descr': '|O', 'fortran_order': False, 'shape': (1,), }", new Uint8Array(8))), 'CHECKPOINT_UNSUPPORTED_DTYPE');
  expect(obj.message).toMatch(/object arrays/);
  await checkpointError(() => readCheckpoint(npy("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", new Uint8Array(8))), 'CHECKPOINT_UNSUPPORTED_DTYPE');
  await checkpointError(() => readCheckpoint(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", new Uint8Array(8))), 'CHECKPOINT_TRUNCATED');
  await checkpointError(() => readCheckpoint(npy("{'descr': '<f4', 'shape': (3,), }", new Uint8Array(12))), 'CHECKPOINT_BAD_HEADER');
  await checkpointError(() => readCheckpoint(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (x,), }", new Uint8Array(12))), 'CHECKPOINT_BAD_HEADER');
});

it('refuses a corrupt deflate stream and a member that claims an impossible size', async () => {
  const bytes = fixtureBytes('jax_deflated.npz');
  const corrupt = bytes.slice();
  for (let i = 200; i < 260; i++) corrupt[i] ^= 0x5a; // inside the first member's deflate data
  await checkpointError(() => readCheckpoint(corrupt));
  const truncated = bytes.subarray(0, bytes.length - 10);
  await checkpointError(() => readCheckpoint(truncated), 'CHECKPOINT_TRUNCATED');
  // a central-directory entry (PK\x01\x02) claiming a 2 GB member: refused before allocating it
  const lying = bytes.slice();
  const dv = new DataView(lying.buffer);
  let at = lying.length - 22;
  while (dv.getUint32(at, true) !== 0x02014b50) at--;
  dv.setUint32(at + 24, 0x7fffffff, true);
  const err = await checkpointError(() => readCheckpoint(lying), 'CHECKPOINT_BAD_ZIP');
  expect(err.message).toMatch(/the local header says \d+ → \d+ bytes, the directory \d+ → 2147483647/);
  // the same lie in the member's local header too: refused by the deflate ratio, before allocating
  const offset = dv.getUint32(at + 42, true);
  dv.setUint32(offset + 22, 0x7fffffff, true);
  const both = await checkpointError(() => readCheckpoint(lying), 'CHECKPOINT_BAD_ZIP');
  expect(both.message).toMatch(/claims 2147483647 bytes/);
});
