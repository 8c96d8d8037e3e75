// A minimal zip reader over positioned reads: the central directory (zip64 included), then each
// entry's bytes on demand. torch.save stores entries uncompressed; numpy's savez_compressed deflates.
import { inflateSync } from 'fflate';
import { assertAvailable, CheckpointError } from './errors';
import type { ByteSource } from './source';

/** One file of a zip archive. */
export interface ZipEntry {
  readonly name: string;
  /** 0 = stored, 8 = deflated. */
  readonly method: number;
  readonly compressedSize: number;
  /** Uncompressed size in bytes. */
  readonly size: number;
  /** Offset of the entry's (compressed) bytes in the source. */
  dataOffset(): number;
  /** The uncompressed bytes (a view for stored entries of in-memory sources). */
  read(): Uint8Array;
}

const EOCD = 0x06054b50;
const EOCD64 = 0x06064b50;
const LOCATOR64 = 0x07064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
/** Deflate cannot expand data more than ~1032:1; a larger claimed ratio is a lie. */
const MAX_DEFLATE_RATIO = 1032;
const MAX_NAME = 1 << 16;

const utf8 = new TextDecoder();

function bad(msg: string): never {
  throw new CheckpointError('CHECKPOINT_BAD_ZIP', `zip: ${msg}`);
}

function view(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

function u64(dv: DataView, at: number): number {
  const v = dv.getBigUint64(at, true);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) bad(`64-bit field ${v} is too large`);
  return Number(v);
}

/** Finds the end-of-central-directory record and returns the directory's offset, size and count. */
function findDirectory(src: ByteSource): { offset: number; size: number; count: number } {
  if (src.size < 22) {
    throw new CheckpointError('CHECKPOINT_TRUNCATED', `zip: ${src.size} bytes is too short for an end-of-directory record (22)`);
  }
  const tailLen = Math.min(src.size, 22 + 0xffff + 20);
  const tailStart = src.size - tailLen;
  const tail = src.read(tailStart, tailLen);
  const dv = view(tail);
  let at = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (dv.getUint32(i, true) === EOCD) {
      at = i;
      break;
    }
  }
  if (at < 0) {
    throw new CheckpointError('CHECKPOINT_TRUNCATED', 'zip: no end-of-central-directory record (truncated or not a zip archive)');
  }
  let count = dv.getUint16(at + 10, true);
  let size = dv.getUint32(at + 12, true);
  let offset = dv.getUint32(at + 16, true);
  if (at >= 20 && dv.getUint32(at - 20, true) === LOCATOR64) {
    const recAt = u64(dv, at - 20 + 8);
    assertAvailable('zip64 end-of-directory record', recAt, 56, src.size);
    const rec = view(src.read(recAt, 56));
    if (rec.getUint32(0, true) !== EOCD64) bad(`no zip64 end-of-directory record at ${recAt}`);
    count = u64(rec, 32);
    size = u64(rec, 40);
    offset = u64(rec, 48);
  }
  assertAvailable('zip central directory', offset, size, src.size);
  if (count * 46 > size) bad(`${count} entries do not fit in a central directory of ${size} bytes`);
  return { offset, size, count };
}

/**
 * Lists a zip archive's entries from its central directory (only that is read).
 *
 * @example
 * const entries = readZip(bytesSource(bytes));
 * const pkl = entries.get('archive/data.pkl')!.read();
 */
export function readZip(src: ByteSource): Map<string, ZipEntry> {
  const dir = findDirectory(src);
  const cd = src.read(dir.offset, dir.size);
  const dv = view(cd);
  const entries = new Map<string, ZipEntry>();
  let p = 0;
  for (let i = 0; i < dir.count; i++) {
    assertAvailable('zip central directory entry', p, 46, cd.length);
    if (dv.getUint32(p, true) !== CENTRAL) bad(`central directory entry ${i} has a bad signature at ${dir.offset + p}`);
    const flags = dv.getUint16(p + 8, true);
    const method = dv.getUint16(p + 10, true);
    let compressedSize = dv.getUint32(p + 20, true);
    let size = dv.getUint32(p + 24, true);
    const nameLen = dv.getUint16(p + 28, true);
    const extraLen = dv.getUint16(p + 30, true);
    const commentLen = dv.getUint16(p + 32, true);
    let localOffset = dv.getUint32(p + 42, true);
    assertAvailable('zip central directory entry', p + 46, nameLen + extraLen + commentLen, cd.length);
    const name = utf8.decode(cd.subarray(p + 46, p + 46 + nameLen));
    // zip64 extended information: the 64-bit values of the fields that are 0xffffffff, in order.
    let e = p + 46 + nameLen;
    const extraEnd = e + extraLen;
    while (e + 4 <= extraEnd) {
      const id = dv.getUint16(e, true);
      const len = dv.getUint16(e + 2, true);
      if (id === 0x0001) {
        let q = e + 4;
        const next = () => {
          if (q + 8 > e + 4 + len) bad(`${name}: short zip64 extra field`);
          q += 8;
          return u64(dv, q - 8);
        };
        if (size === 0xffffffff) size = next();
        if (compressedSize === 0xffffffff) compressedSize = next();
        if (localOffset === 0xffffffff) localOffset = next();
      }
      e += 4 + len;
    }
    p = extraEnd + commentLen;
    if (flags & 1) bad(`${name} is encrypted`);
    if (nameLen > MAX_NAME) bad('entry name too long');
    entries.set(name, makeEntry(src, name, method, compressedSize, size, localOffset));
  }
  return entries;
}

function makeEntry(src: ByteSource, name: string, method: number, compressedSize: number, size: number, localOffset: number): ZipEntry {
  let data = -1;
  const dataOffset = () => {
    if (data >= 0) return data;
    assertAvailable(`zip local header of ${name}`, localOffset, 30, src.size);
    const h = view(src.read(localOffset, 30));
    if (h.getUint32(0, true) !== LOCAL) bad(`${name}: no local header at ${localOffset}`);
    data = localOffset + 30 + h.getUint16(26, true) + h.getUint16(28, true);
    assertAvailable(`zip entry ${name}`, data, compressedSize, src.size);
    return data;
  };
  const read = (): Uint8Array => {
    const start = dataOffset();
    if (method === 0) {
      if (compressedSize !== size) bad(`${name}: stored entry with sizes ${compressedSize} and ${size}`);
      return src.read(start, size);
    }
    if (method !== 8) bad(`${name}: compression method ${method} is not supported (stored or deflate only)`);
    if (size > compressedSize * MAX_DEFLATE_RATIO + 1024) bad(`${name}: claims ${size} bytes from ${compressedSize} compressed`);
    const out = new Uint8Array(size);
    let result: Uint8Array;
    try {
      result = inflateSync(src.read(start, compressedSize), { out });
    } catch (err) {
      throw new CheckpointError('CHECKPOINT_BAD_ZIP', `zip: ${name}: deflate stream is corrupt (${(err as Error).message})`, { cause: err });
    }
    if (result.length !== size) bad(`${name}: inflated to ${result.length} bytes, the directory says ${size}`);
    return result;
  };
  return { name, method, compressedSize, size, dataOffset, read };
}
