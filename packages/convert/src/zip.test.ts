import { expect, it } from 'vitest';
import { checkpointError, fixtureBytes } from './fixtures.testutil';
import { bytesSource } from './source';
import { readZip } from './zip';

/** Rewrites a small zip's end record as zip64 (as torch's writer does for archives over 4 GB). */
function toZip64(zip: Uint8Array): Uint8Array {
  const dv = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  let eocd = zip.length - 22;
  while (dv.getUint32(eocd, true) !== 0x06054b50) eocd--;
  const count = dv.getUint16(eocd + 10, true);
  const size = dv.getUint32(eocd + 12, true);
  const offset = dv.getUint32(eocd + 16, true);
  const out = new Uint8Array(eocd + 56 + 20 + 22);
  out.set(zip.subarray(0, eocd));
  const o = new DataView(out.buffer);
  let p = eocd;
  o.setUint32(p, 0x06064b50, true); // zip64 end of central directory record
  o.setBigUint64(p + 4, 44n, true);
  o.setBigUint64(p + 24, BigInt(count), true);
  o.setBigUint64(p + 32, BigInt(count), true);
  o.setBigUint64(p + 40, BigInt(size), true);
  o.setBigUint64(p + 48, BigInt(offset), true);
  p += 56;
  o.setUint32(p, 0x07064b50, true); // locator
  o.setBigUint64(p + 8, BigInt(eocd), true);
  o.setUint32(p + 16, 1, true);
  p += 20;
  o.setUint32(p, 0x06054b50, true);
  o.setUint16(p + 8, 0xffff, true);
  o.setUint16(p + 10, 0xffff, true);
  o.setUint32(p + 12, 0xffffffff, true);
  o.setUint32(p + 16, 0xffffffff, true);
  return out;
}

it('lists a torch archive: names, stored sizes, and entry bytes', () => {
  const entries = readZip(bytesSource(fixtureBytes('state_zip.pth')));
  const pkl = entries.get('state_zip/data.pkl')!;
  expect(pkl.method).toBe(0);
  expect(pkl.read()[0]).toBe(0x80); // PROTO
  expect(entries.get('state_zip/data/0')!.size).toBe(12 * 4); // f32 [3, 4]
});

it('reads zip64 end records', () => {
  const zip = fixtureBytes('jax_deflated.npz');
  const a = readZip(bytesSource(zip));
  const b = readZip(bytesSource(toZip64(zip)));
  expect([...b.keys()]).toEqual([...a.keys()]);
  const name = [...a.keys()][0];
  expect(Array.from(b.get(name)!.read())).toEqual(Array.from(a.get(name)!.read()));
});

it('refuses a zip64 locator pointing nowhere, and a directory that claims too many entries', async () => {
  const z64 = toZip64(fixtureBytes('jax_stored.npz'));
  const bad = z64.slice();
  const dv = new DataView(bad.buffer);
  dv.setBigUint64(bad.length - 22 - 20 + 8, 5n, true);
  await checkpointError(() => readZip(bytesSource(bad)), 'CHECKPOINT_BAD_ZIP');
  const many = fixtureBytes('jax_stored.npz');
  const m = new DataView(many.buffer);
  m.setUint16(many.length - 22 + 10, 60000, true);
  const err = await checkpointError(() => readZip(bytesSource(many)), 'CHECKPOINT_BAD_ZIP');
  expect(err.message).toMatch(/60000 entries do not fit/);
});

/** The central-directory records of a small zip (no zip64): offset, name, local header offset. */
function central(zip: Uint8Array): { at: number; name: string; local: number }[] {
  const dv = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  let eocd = zip.length - 22;
  while (dv.getUint32(eocd, true) !== 0x06054b50) eocd--;
  const out = [];
  let p = dv.getUint32(eocd + 16, true);
  for (let i = 0; i < dv.getUint16(eocd + 10, true); i++) {
    const nameLen = dv.getUint16(p + 28, true);
    out.push({ at: p, name: new TextDecoder().decode(zip.subarray(p + 46, p + 46 + nameLen)), local: dv.getUint32(p + 42, true) });
    p += 46 + nameLen + dv.getUint16(p + 30, true) + dv.getUint16(p + 32, true);
  }
  return out;
}

function entryOf(zip: Uint8Array, name: string) {
  const r = central(zip).find((c) => c.name === name);
  if (!r) throw new Error(`no ${name}`);
  const dv = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  return { ...r, dv, data: r.local + 30 + dv.getUint16(r.local + 26, true) + dv.getUint16(r.local + 28, true) };
}

it('checks the CRC-32 of a stored entry before its bytes are used, and names the entry', async () => {
  const zip = fixtureBytes('state_zip.pth');
  const e = entryOf(zip, 'state_zip/data/0');
  expect(readZip(bytesSource(zip)).get('state_zip/data/0')!.crc32).toBe(e.dv.getUint32(e.at + 16, true));
  const flipped = zip.slice();
  flipped[e.data + 5] ^= 0x01; // one bit of one float
  const entries = readZip(bytesSource(flipped)); // listing reads only the directory
  const err = await checkpointError(() => entries.get('state_zip/data/0')!.dataOffset(), 'CHECKPOINT_CHECKSUM');
  expect(err.message).toMatch(/"state_zip\/data\/0": CRC-32 of its bytes is 0x[0-9a-f]{8}, the directory says 0x[0-9a-f]{8}/);
  expect(Array.from(entries.get('state_zip/data.pkl')!.read().subarray(0, 1))).toEqual([0x80]); // the other entries still read
});

it('checks the CRC-32 of a deflated entry after inflating it', async () => {
  const zip = fixtureBytes('jax_deflated.npz');
  const [first] = central(zip);
  const bad = zip.slice();
  const dv = new DataView(bad.buffer);
  // the same wrong CRC in the central and the local header, so only the data can tell
  const crc = dv.getUint32(first!.at + 16, true) ^ 1;
  dv.setUint32(first!.at + 16, crc, true);
  dv.setUint32(first!.local + 14, crc, true);
  await checkpointError(() => readZip(bytesSource(bad)).get(first!.name)!.read(), 'CHECKPOINT_CHECKSUM');
});

it('refuses a local header that disagrees with the central directory', async () => {
  const zip = fixtureBytes('state_zip.pth');
  const e = entryOf(zip, 'state_zip/data/0');
  // a local extra field of 0xffff bytes would move the data 64 KiB on, into the next entry
  const far = zip.slice();
  new DataView(far.buffer).setUint16(e.local + 28, 0xffff, true);
  await checkpointError(() => readZip(bytesSource(far)).get(e.name)!.read(), 'CHECKPOINT_TRUNCATED'); // past this small file's end
  const near = zip.slice();
  new DataView(near.buffer).setUint16(e.local + 28, 200, true); // still inside the file
  const nearErr = await checkpointError(() => readZip(bytesSource(near)).get(e.name)!.read(), 'CHECKPOINT_BAD_ZIP');
  expect(nearErr.message).toMatch(/"state_zip\/data\/0": its data \(48 bytes after a local extra field of 200\) runs into the next entry at 1600/);
  const renamed = zip.slice();
  renamed[e.local + 30 + 10] = 'X'.charCodeAt(0);
  const nameErr = await checkpointError(() => readZip(bytesSource(renamed)).get(e.name)!.read(), 'CHECKPOINT_BAD_ZIP');
  expect(nameErr.message).toMatch(/the local header names it "state_zip\/Xata\/0"/);
  const method = zip.slice();
  new DataView(method.buffer).setUint16(e.local + 8, 8, true);
  const methodErr = await checkpointError(() => readZip(bytesSource(method)).get(e.name)!.read(), 'CHECKPOINT_BAD_ZIP');
  expect(methodErr.message).toMatch(/local header says compression method 8, the directory 0/);
});

it('refuses entries that share bytes or a name', async () => {
  const zip = fixtureBytes('state_zip.pth');
  const [a, b] = central(zip);
  const overlap = zip.slice();
  new DataView(overlap.buffer).setUint32(b!.at + 42, a!.local + 4, true); // b's header inside a
  const err = await checkpointError(() => readZip(bytesSource(overlap)), 'CHECKPOINT_BAD_ZIP');
  expect(err.message).toMatch(/overlaps/);
  const twin = zip.slice();
  twin.set(new TextEncoder().encode('state_zip/data/1'), entryOf(zip, 'state_zip/data/2').at + 46);
  const twinErr = await checkpointError(() => readZip(bytesSource(twin)), 'CHECKPOINT_BAD_ZIP');
  expect(twinErr.message).toMatch(/two entries are named "state_zip\/data\/1"/);
});
