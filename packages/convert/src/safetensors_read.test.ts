import { describeBackends } from '@tfjs-vit/testing';
import { expect, it } from 'vitest';
import { checkpointError, disposeAll, expected, fixtureBytes, fixturePath, makeSafetensors } from './fixtures.testutil';
import { readCheckpoint } from './read_checkpoint';
import { bytesSource } from './source';
import { openSafetensors } from './safetensors_read';

const f32 = (n: number) => new Uint8Array(new Float32Array(n).fill(1.5).buffer);

describeBackends('safetensors reader', () => {
  it('reads the file PyTorch wrote (F32, I32 entries and metadata) exactly', async () => {
    const { format, tensors, meta } = await readCheckpoint(fixturePath('expected.safetensors'));
    expect(format).toBe('safetensors');
    expect(meta.metadata).toEqual(expected.meta);
    expect([...tensors.keys()].sort()).toEqual(expected.names().sort());
    for (const name of expected.names()) {
      expect(Array.from(tensors.get(name)!.dataSync()), name).toEqual(Array.from(expected.data(name)));
      expect(tensors.get(name)!.shape).toEqual(expected.shape(name));
    }
    disposeAll(tensors);
  });

  it('reads F16, BF16, F64, I64, U8 and BOOL', async () => {
    const data = new Uint8Array([0x00, 0x3c, 0x80, 0x3f, 0, 0, 0, 0, 0, 0, 0xf8, 0x3f, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 200, 1]);
    const header = {
      h: { dtype: 'F16', shape: [1], data_offsets: [0, 2] },
      b: { dtype: 'BF16', shape: [1], data_offsets: [2, 4] },
      d: { dtype: 'F64', shape: [1], data_offsets: [4, 12] },
      l: { dtype: 'I64', shape: [1], data_offsets: [12, 20] },
      u: { dtype: 'U8', shape: [1], data_offsets: [20, 21] },
      t: { dtype: 'BOOL', shape: [1], data_offsets: [21, 22] },
    };
    const { tensors } = await readCheckpoint(makeSafetensors(header, data));
    const got = Object.fromEntries([...tensors].map(([k, t]) => [k, t.dataSync()[0]]));
    expect(got).toEqual({ h: 1, b: 1, d: 1.5, l: -2, u: 200, t: 1 });
    disposeAll(tensors);
  });
});

it('refuses headers that lie, quickly, with the offending entry named', async () => {
  const cases: [unknown, Uint8Array, string, RegExp][] = [
    [{ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } }, f32(3), 'CHECKPOINT_BAD_OFFSETS', /b \[4, 12\] overlaps a/],
    [{ a: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }, f32(2), 'CHECKPOINT_BAD_OFFSETS', /a: data_offsets end at 16, the data section has 8/],
    [{ a: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, f32(3), 'CHECKPOINT_BAD_OFFSETS', /needs 12 bytes/],
    [{ a: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, f32(1), 'CHECKPOINT_BAD_HEADER', /shape/],
    [{ a: { dtype: 'F32', shape: [1], data_offsets: [4, 0] } }, f32(1), 'CHECKPOINT_BAD_HEADER', /data_offsets/],
    [{ a: { dtype: 'C64', shape: [1], data_offsets: [0, 8] } }, f32(2), 'CHECKPOINT_UNSUPPORTED_DTYPE', /C64/],
    [{ __metadata__: { a: 1 } }, f32(0), 'CHECKPOINT_BAD_HEADER', /__metadata__/],
    [[1, 2], f32(0), 'CHECKPOINT_BAD_HEADER', /not a JSON object/],
  ];
  for (const [header, data, code, message] of cases) {
    const err = await checkpointError(() => openSafetensors(bytesSource(makeSafetensors(header, data))), code as never);
    expect(err.message).toMatch(message);
  }
});

it('refuses a 100 MB header length and a truncated or non-JSON header at once', async () => {
  const t0 = performance.now();
  const huge = makeSafetensors({}, new Uint8Array(0), 200_000_000n);
  const err = await checkpointError(() => openSafetensors(bytesSource(huge)), 'CHECKPOINT_LIMIT');
  expect(err.message).toMatch(/200000000 bytes exceeds/);
  await checkpointError(() => readCheckpoint(makeSafetensors({}, new Uint8Array(0), 50_000_000n)), 'CHECKPOINT_TRUNCATED');
  const notJson = makeSafetensors({ a: 1 }, new Uint8Array(0));
  notJson[12] = 0x7d; // '}' in the middle of the JSON
  await checkpointError(() => readCheckpoint(notJson), 'CHECKPOINT_BAD_HEADER');
  expect(performance.now() - t0).toBeLessThan(500);
  const real = fixtureBytes('expected.safetensors');
  await checkpointError(() => readCheckpoint(real.subarray(0, real.length - 1)), 'CHECKPOINT_BAD_OFFSETS');
});
