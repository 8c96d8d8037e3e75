// CRC-32 (IEEE 802.3, the polynomial of zip, gzip and PNG): integrity checks of zip entries and
// tfjs shards. Node's zlib.crc32 where the runtime has it (Node ≥ 20.16: about twice as fast), else
// our own slicing-by-8 — eight tables, eight bytes a step — because every entry of a checkpoint is
// checked on load.

const TABLES = (() => {
  const t = new Uint32Array(8 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  // Table k gives the CRC contribution of a byte followed by k zero bytes.
  for (let n = 0; n < 256; n++) {
    for (let k = 1; k < 8; k++) {
      const prev = t[(k - 1) * 256 + n] as number;
      t[k * 256 + n] = ((t[prev & 0xff] as number) ^ (prev >>> 8)) >>> 0;
    }
  }
  return t;
})();

/**
 * CRC-32 of `bytes`, continuing from `previous` (the CRC of the bytes before them) so a stream can be
 * checked chunk by chunk. Returns an unsigned 32-bit integer.
 *
 * @example
 * ```ts
 * crc32(new TextEncoder().encode('123456789')); // 0xcbf43926
 * crc32(b, crc32(a)) === crc32(concat(a, b));   // true
 * ```
 */
export function crc32(bytes: Uint8Array, previous = 0): number {
  return native ? native(bytes, previous) >>> 0 : crc32Portable(bytes, previous);
}

/** A CRC-32 for a message: `0x` and eight hex digits. */
export function hexCrc(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}

/** zlib.crc32, found without importing node:zlib (so browser bundles stay clean). */
const native = (() => {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const zlib = proc?.getBuiltinModule?.('node:zlib') as { crc32?: (data: Uint8Array, value?: number) => number } | undefined;
  return typeof zlib?.crc32 === 'function' ? zlib.crc32 : null;
})();

/** @internal The portable implementation {@link crc32} falls back to (same results). */
export function crc32Portable(bytes: Uint8Array, previous = 0): number {
  const t = TABLES;
  let c = ~previous >>> 0;
  let i = 0;
  const n = bytes.length;
  for (const end = n - (n % 8); i < end; i += 8) {
    const lo = (c ^ ((bytes[i] as number) | ((bytes[i + 1] as number) << 8) | ((bytes[i + 2] as number) << 16) | ((bytes[i + 3] as number) << 24))) >>> 0;
    c =
      (t[1792 + (lo & 0xff)] as number) ^
      (t[1536 + ((lo >>> 8) & 0xff)] as number) ^
      (t[1280 + ((lo >>> 16) & 0xff)] as number) ^
      (t[1024 + (lo >>> 24)] as number) ^
      (t[768 + (bytes[i + 4] as number)] as number) ^
      (t[512 + (bytes[i + 5] as number)] as number) ^
      (t[256 + (bytes[i + 6] as number)] as number) ^
      (t[bytes[i + 7] as number] as number);
  }
  for (; i < n; i++) c = (t[(c ^ (bytes[i] as number)) & 0xff] as number) ^ (c >>> 8);
  return ~c >>> 0;
}
