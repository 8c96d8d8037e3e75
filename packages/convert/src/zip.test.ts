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
