import '@tensorflow/tfjs-backend-cpu';
import { describe, expect, it } from 'vitest';
import { openNpy } from './npy';
import { serializeNpy } from './npy_write';
import { bytesSource } from './source';

describe('serializeNpy', () => {
  it('writes a 64-byte aligned header that our reader (and numpy) parse back', () => {
    const data = Float32Array.from({ length: 6 }, (_, i) => i / 3);
    const bytes = serializeNpy(data, [2, 3]);
    const header = new TextDecoder().decode(bytes.subarray(10, 10 + (bytes[8] | (bytes[9] << 8))));
    expect(header).toMatch(/^\{'descr': '<f4', 'fortran_order': False, 'shape': \(2, 3\), \} *\n$/);
    expect((10 + header.length) % 64).toBe(0);
    const ckpt = openNpy(bytesSource(bytes));
    const [entry] = [...ckpt.entries.values()];
    expect(entry.shape).toEqual([2, 3]);
    const t = entry.tensor();
    expect(Array.from(t.dataSync())).toEqual(Array.from(data));
    t.dispose();
    expect(new TextDecoder().decode(serializeNpy(Int32Array.of(1, 2), [2]).subarray(10, 64))).toMatch(/'shape': \(2,\)/);
    expect(() => serializeNpy(data, [4, 2])).toThrow(/holds 8 values, data has 6/);
  });
});
