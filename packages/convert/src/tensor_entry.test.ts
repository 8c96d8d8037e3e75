import { describeBackends, tensorGrowth } from '@tfjs-vit/testing';
import { expect, it } from 'vitest';
import { decodeElements, floatToBfloat16, floatToHalf, halfToFloat } from './dtypes';
import { checkpointError } from './fixtures.testutil';
import { bytesSource } from './source';
import { contiguousStrides, gatherStrided, stridedEntry } from './tensor_entry';

it('gathers strided views: a transpose, an offset slice, a broadcast (stride 0)', () => {
  const src = Float32Array.from({ length: 12 }, (_, i) => i);
  expect(Array.from(gatherStrided(src, [3, 2], [1, 3], 0))).toEqual([0, 3, 1, 4, 2, 5]);
  expect(Array.from(gatherStrided(src, [2, 2], [4, 1], 5))).toEqual([5, 6, 9, 10]);
  expect(Array.from(gatherStrided(src, [2, 3], [0, 1], 1))).toEqual([1, 2, 3, 1, 2, 3]);
  expect(Array.from(gatherStrided(src, [], [], 7))).toEqual([7]);
  expect(contiguousStrides([2, 3, 4])).toEqual([12, 4, 1]);
});

it('converts half and bfloat16 both ways, round-to-nearest-even, with specials', () => {
  for (const h of [0x0000, 0x8000, 0x0001, 0x03ff, 0x0400, 0x3c00, 0x7bff, 0x7c00, 0xfc00, 0xc000]) {
    expect(floatToHalf(halfToFloat(h))).toBe(h);
  }
  expect(Number.isNaN(halfToFloat(0x7e00))).toBe(true);
  expect(floatToHalf(1 + 2 ** -11)).toBe(0x3c00); // tie → even
  expect(floatToHalf(1 + 3 * 2 ** -11)).toBe(0x3c02); // tie → even (up)
  expect(floatToHalf(70000)).toBe(0x7c00);
  expect(floatToBfloat16(1)).toBe(0x3f80);
  expect(floatToBfloat16(1 + 2 ** -8)).toBe(0x3f80); // tie → even
  const bf = decodeElements(new Uint8Array([0x80, 0x3f]), 'bfloat16', 'x');
  expect(Array.from(bf)).toEqual([1]);
});

it('refuses views that reach past their storage, and expanded views of hostile size', async () => {
  const src = bytesSource(new Uint8Array(16));
  const base = { name: 'w', source: src, storageByteOffset: () => 0, storageNumel: 4, dtype: 'float32' as const, storageOffset: 0 };
  const err = await checkpointError(() => stridedEntry({ ...base, shape: [2, 2], strides: [2, 1], storageOffset: 1 }), 'CHECKPOINT_BAD_OFFSETS');
  expect(err.message).toMatch(/needs 5 elements, storage has 4/);
  await checkpointError(() => stridedEntry({ ...base, shape: [1 << 30], strides: [0] }), 'CHECKPOINT_LIMIT');
  await checkpointError(() => stridedEntry({ ...base, shape: [2], strides: [1, 1] }), 'CHECKPOINT_BAD_TENSOR');
});

describeBackends('TensorEntry.tensor', () => {
  it('makes a new tensor each call and leaks nothing', () => {
    const bytes = new Uint8Array(new Float32Array([1, 2, 3, 4, 5, 6]).buffer);
    const entry = stridedEntry({ name: 'w', source: bytesSource(bytes), storageByteOffset: () => 0, storageNumel: 6, dtype: 'float32', shape: [3, 2], strides: [1, 3], storageOffset: 0 });
    const t = entry.tensor();
    expect(Array.from(t.dataSync())).toEqual([1, 4, 2, 5, 3, 6]);
    t.dispose();
    expect(tensorGrowth(() => entry.tensor())).toBe(0);
    const contiguous = stridedEntry({ name: 'c', source: bytesSource(bytes), storageByteOffset: () => 0, storageNumel: 6, dtype: 'float32', shape: [6], strides: [1], storageOffset: 0 });
    contiguous.values()[0] = 99; // values are a copy: the caller's bytes are never aliased
    expect(new Float32Array(bytes.buffer)[0]).toBe(1);
  });
});
