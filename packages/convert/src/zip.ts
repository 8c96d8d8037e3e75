// A minimal zip reader over positioned reads: the central directory (zip64 included), then each
// entry's bytes on demand. torch.save stores entries uncompressed; numpy's savez_compressed deflates.
// Nothing is trusted twice: entries may not share bytes or names, each local header must agree with
// the central directory, and every entry's CRC-32 is checked before its bytes are used.
import { inflateSync } from 'fflate';
import { crc32, hexCrc as hex } from './crc32';
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
  /** CRC-32 of the uncompressed bytes, as the central directory records it. */
  readonly crc32: number;
  /**
   * Offset of the entry's (compressed) bytes in the source. The first call checks the local header
   * against the central directory and, for a stored entry, its CRC-32 (reading it in chunks).
   */
  dataOffset(): number;
  /** The uncompressed bytes (a view for stored entries of in-memory sources), CRC-checked. */
  read(): Uint8Array;
}

const EOCD = 0x06054b50;
const EOCD64 = 0x06064b50;
const LOCATOR64 = 0x07064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
/** Deflate cannot expand data more than ~1032:1; a larger claimed ratio is a lie. */
const MAX_DEFLATE_RATIO = 1032;
/** Stored entries are CRC-checked in reads of this size, so a large entry is never held whole. */
const CRC_CHUNK = 8 << 20;
/** General-purpose flag bit 3: sizes and CRC follow the data, the local header has zeros. */
const DATA_DESCRIPTOR = 8;

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
  const records: CentralRecord[] = [];
  const names = new Set<string>();
  let p = 0;
  for (let i = 0; i < dir.count; i++) {
    assertAvailable('zip central directory entry', p, 46, cd.length);
    if (dv.getUint32(p, true) !== CENTRAL) bad(`central directory entry ${i} has a bad signature at ${dir.offset + p}`);
    const flags = dv.getUint16(p + 8, true);
    const method = dv.getUint16(p + 10, true);
    const crc = dv.getUint32(p + 16, true);
    let compressedSize = dv.getUint32(p + 20, true);
    let size = dv.getUint32(p + 24, true);
    const nameLen = dv.getUint16(p + 28, true);
    const extraLen = dv.getUint16(p + 30, true);
    const commentLen = dv.getUint16(p + 32, true);
    let localOffset = dv.getUint32(p + 42, true);
    assertAvailable('zip central directory entry', p + 46, nameLen + extraLen + commentLen, cd.length);
    const nameBytes = cd.subarray(p + 46, p + 46 + nameLen);
    const name = utf8.decode(nameBytes);
    // zip64 extended information: the 64-bit values of the fields that are 0xffffffff, in order.
    let e = p + 46 + nameLen;
    const extraEnd = e + extraLen;
    while (e + 4 <= extraEnd) {
      const id = dv.getUint16(e, true);
      const len = dv.getUint16(e + 2, true);
      if (id === 0x0001) {
        let q = e + 4;
        const next = () => {
          if (q + 8 > e + 4 + len) bad(`${quote(name)}: short zip64 extra field`);
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
    if (flags & 1) bad(`${quote(name)} is encrypted`);
    if (names.has(name)) bad(`two entries are named ${quote(name)}`);
    names.add(name);
    records.push({ name, nameBytes: nameBytes.slice(), method, crc, compressedSize, size, localOffset, limit: dir.offset });
  }
  // Entries may not share bytes: each local header + name + data ends before the next one starts
  // (a lower bound: the local extra field is only known when the header is read), and the last
  // before the central directory.
  const byOffset = [...records].sort((a, b) => a.localOffset - b.localOffset);
  for (let i = 0; i < byOffset.length; i++) {
    const a = byOffset[i] as CentralRecord;
    const next = byOffset[i + 1];
    a.limit = next ? next.localOffset : dir.offset;
    const end = a.localOffset + 30 + a.nameBytes.length + a.compressedSize;
    if (end > a.limit) bad(`${quote(a.name)} (bytes ${a.localOffset}–${end}) overlaps ${next ? quote(next.name) : 'the central directory'} at ${a.limit}`);
  }
  const entries = new Map<string, ZipEntry>();
  for (const r of records) entries.set(r.name, makeEntry(src, r));
  return entries;
}

/** What the central directory says of one entry, and where the next one starts (`limit`). */
interface CentralRecord {
  name: string;
  nameBytes: Uint8Array;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  localOffset: number;
  limit: number;
}

/** An entry name for a message: JSON-quoted, at most 100 characters. */
function quote(name: string): string {
  return JSON.stringify(name.length > 100 ? `${name.slice(0, 100)}…` : name);
}

function checksum(name: string, actual: number, expected: number): void {
  if (actual !== expected) {
    throw new CheckpointError('CHECKPOINT_CHECKSUM', `zip: ${quote(name)}: CRC-32 of its bytes is ${hex(actual)}, the directory says ${hex(expected)} (the file is corrupt)`);
  }
}

/** Checks the local header against the central record; returns the offset of the entry's data. */
function localData(src: ByteSource, r: CentralRecord): number {
  const name = quote(r.name);
  assertAvailable(`zip local header of ${name}`, r.localOffset, 30, src.size);
  const h = view(src.read(r.localOffset, 30));
  if (h.getUint32(0, true) !== LOCAL) bad(`${name}: no local header at ${r.localOffset}`);
  const flags = h.getUint16(6, true);
  const method = h.getUint16(8, true);
  const nameLen = h.getUint16(26, true);
  const extraLen = h.getUint16(28, true);
  if (method !== r.method) bad(`${name}: the local header says compression method ${method}, the directory ${r.method}`);
  assertAvailable(`zip local header of ${name}`, r.localOffset + 30, nameLen + extraLen, src.size);
  const rest = src.read(r.localOffset + 30, nameLen + extraLen);
  const localName = rest.subarray(0, nameLen);
  if (nameLen !== r.nameBytes.length || localName.some((b, i) => b !== r.nameBytes[i])) {
    bad(`${name}: the local header names it ${quote(utf8.decode(localName))}`);
  }
  if (!(flags & DATA_DESCRIPTOR)) {
    const crc = h.getUint32(14, true);
    if (crc !== r.crc) bad(`${name}: the local header's CRC-32 is ${hex(crc)}, the directory's ${hex(r.crc)}`);
    let compressedSize = h.getUint32(18, true);
    let size = h.getUint32(22, true);
    if (size === 0xffffffff || compressedSize === 0xffffffff) {
      const zip64 = localZip64(view(rest), nameLen, extraLen);
      if (!zip64) bad(`${name}: the local header has 32-bit sizes of 0xffffffff and no zip64 field`);
      if (size === 0xffffffff) size = zip64.size;
      if (compressedSize === 0xffffffff) compressedSize = zip64.compressedSize;
    }
    if (size !== r.size || compressedSize !== r.compressedSize) {
      bad(`${name}: the local header says ${compressedSize} → ${size} bytes, the directory ${r.compressedSize} → ${r.size}`);
    }
  }
  const data = r.localOffset + 30 + nameLen + extraLen;
  assertAvailable(`zip entry ${name}`, data, r.compressedSize, src.size);
  if (data + r.compressedSize > r.limit) {
    bad(`${name}: its data (${r.compressedSize} bytes after a local extra field of ${extraLen}) runs into the next entry at ${r.limit}`);
  }
  return data;
}

/** The local header's zip64 field: uncompressed then compressed size (local zip64 has both). */
function localZip64(dv: DataView, nameLen: number, extraLen: number): { size: number; compressedSize: number } | undefined {
  for (let e = nameLen; e + 4 <= nameLen + extraLen; ) {
    const id = dv.getUint16(e, true);
    const len = dv.getUint16(e + 2, true);
    if (id === 0x0001 && len >= 16 && e + 4 + 16 <= nameLen + extraLen) return { size: u64(dv, e + 4), compressedSize: u64(dv, e + 12) };
    e += 4 + len;
  }
  return undefined;
}

function makeEntry(src: ByteSource, r: CentralRecord): ZipEntry {
  const { name, method, compressedSize, size } = r;
  let header = -1; // the data's offset, once the local header passed
  let verified = false; // a stored entry's CRC-32 passed
  const start = () => {
    if (header < 0) {
      header = localData(src, r);
      if (method === 0 && compressedSize !== size) bad(`${quote(name)}: stored entry with sizes ${compressedSize} and ${size}`);
    }
    return header;
  };
  const dataOffset = () => {
    const at = start();
    if (method === 0 && !verified) {
      let crc = 0;
      for (let done = 0; done < size; done += CRC_CHUNK) crc = crc32(src.read(at + done, Math.min(CRC_CHUNK, size - done)), crc);
      checksum(name, crc, r.crc);
      verified = true;
    }
    return at;
  };
  const read = (): Uint8Array => {
    if (method === 0) {
      // the bytes are read once: checked as they are, not by a separate pass
      const bytes = src.read(start(), size);
      if (!verified) checksum(name, crc32(bytes), r.crc);
      verified = true;
      return bytes;
    }
    const at = start();
    if (method !== 8) bad(`${quote(name)}: compression method ${method} is not supported (stored or deflate only)`);
    if (size > compressedSize * MAX_DEFLATE_RATIO + 1024) bad(`${quote(name)}: claims ${size} bytes from ${compressedSize} compressed`);
    const out = new Uint8Array(size);
    let result: Uint8Array;
    try {
      result = inflateSync(src.read(at, compressedSize), { out });
    } catch (err) {
      throw new CheckpointError('CHECKPOINT_BAD_ZIP', `zip: ${quote(name)}: deflate stream is corrupt (${(err as Error).message})`, { cause: err });
    }
    if (result.length !== size) bad(`${quote(name)}: inflated to ${result.length} bytes, the directory says ${size}`);
    checksum(name, crc32(result), r.crc);
    return result;
  };
  return { name, method, compressedSize, size, crc32: r.crc, dataOffset, read };
}
