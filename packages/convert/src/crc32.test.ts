import { crc32 as zlibCrc32 } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crc32, crc32Portable } from './crc32';

describe('crc32', () => {
  it('gives the check value of the CRC-32/ISO-HDLC catalogue and 0 for no bytes', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
    expect(crc32Portable(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });

  it('equals zlib on random bytes, and chaining chunks equals one pass', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), fc.nat(), (bytes, cut) => {
        const at = bytes.length ? cut % bytes.length : 0;
        const whole = crc32(bytes);
        expect(whole).toBe(zlibCrc32(bytes));
        expect(crc32(bytes.subarray(at), crc32(bytes.subarray(0, at)))).toBe(whole);
        // the portable path (browsers, older Node) gives the same, whole and chained
        expect(crc32Portable(bytes)).toBe(whole);
        expect(crc32Portable(bytes.subarray(at), crc32Portable(bytes.subarray(0, at)))).toBe(whole);
      }),
      { numRuns: 200 },
    );
  });
});
