// Fuzzing the parsers with mutations of real files: only CheckpointErrors (or success) may come
// out, each case quickly. Not a backend matter: runs once, on cpu.
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { crc32 } from './crc32';
import { CheckpointError } from './errors';
import { fixtureBytes } from './fixtures.testutil';
import { readCheckpoint } from './read_checkpoint';
import { bytesSource } from './source';
import { findDataPkl } from './torch_zip';
import { readZip } from './zip';

type Mutation = (b: Uint8Array) => Uint8Array;

/** Byte flips, interesting integers, truncation, insertion and deletion, anywhere in [lo, hi). */
function mutations(lo: number, hi: number, lengthPreserving = false): fc.Arbitrary<Mutation[]> {
  const at = fc.integer({ min: lo, max: Math.max(lo, hi - 1) });
  const interesting = fc.constantFrom(0, 1, 0x7f, 0x80, 0xff, 0x7fffffff, 0xffffffff, 0x80000000, 0x10000, 8, 64);
  const set: fc.Arbitrary<Mutation> = fc.tuple(at, fc.integer({ min: 0, max: 255 })).map(([i, v]) => (b) => {
    const c = b.slice();
    if (i < c.length) c[i] = v;
    return c;
  });
  const int: fc.Arbitrary<Mutation> = fc.tuple(at, interesting).map(([i, v]) => (b) => {
    const c = b.slice();
    if (i + 4 <= c.length) new DataView(c.buffer).setUint32(i, v >>> 0, true);
    return c;
  });
  const cut: fc.Arbitrary<Mutation> = at.map((i) => (b) => b.slice(0, i));
  const insert: fc.Arbitrary<Mutation> = fc.tuple(at, fc.uint8Array({ minLength: 1, maxLength: 16 })).map(([j, x]) => (b) => {
    const i = Math.min(j, b.length);
    const c = new Uint8Array(b.length + x.length);
    c.set(b.subarray(0, i));
    c.set(x, i);
    c.set(b.subarray(i), i + x.length);
    return c;
  });
  const del: fc.Arbitrary<Mutation> = fc.tuple(at, fc.integer({ min: 1, max: 16 })).map(([j, n]) => (b) => {
    const i = Math.min(j, b.length);
    const c = new Uint8Array(Math.max(i, b.length - n));
    c.set(b.subarray(0, i));
    c.set(b.subarray(i + n).subarray(0, c.length - i), i);
    return c;
  });
  const kinds = lengthPreserving ? [set, int] : [set, int, cut, insert, del];
  return fc.array(fc.oneof(...kinds), { minLength: 1, maxLength: 4 });
}

let slowest = 0;
const tally = new Map<string, number>();

/** Each tensor's dtype, shape and values, for comparing a load with the original's. */
type Weights = Map<string, string>;

async function weightsOf(bytes: Uint8Array): Promise<Weights> {
  const { tensors } = await readCheckpoint(bytes);
  const out: Weights = new Map();
  for (const [k, t] of tensors) out.set(k, `${t.dtype} [${t.shape}] ${Array.from(t.dataSync())}`);
  tf.dispose([...tensors.values()]);
  return out;
}

let changedLoads = 0;

/**
 * True when `bytes` load or fail with a CheckpointError. With `reference` (a checksummed format), a
 * load must also give exactly the original's weights: a corrupt file may not load silently.
 */
async function survives(bytes: Uint8Array, reference?: Weights): Promise<boolean> {
  const t0 = performance.now();
  try {
    const weights = await weightsOf(bytes);
    if (reference && JSON.stringify([...weights]) !== JSON.stringify([...reference])) {
      changedLoads++;
      return false;
    }
  } catch (err) {
    tally.set((err as CheckpointError).code, (tally.get((err as CheckpointError).code) ?? 0) + 1);
    if (!(err instanceof CheckpointError)) {
      console.error('untyped error:', err);
      return false;
    }
  } finally {
    slowest = Math.max(slowest, performance.now() - t0);
  }
  return true;
}

interface FuzzOptions {
  /** Mutate only this byte range (length-preserving mutations). */
  region?: (b: Uint8Array) => [number, number];
  /** Applied after the mutations (e.g. re-stamping a checksum so the parser behind it is reached). */
  fix?: (b: Uint8Array) => Uint8Array;
  /** The format has checksums: any successful load must equal the original. */
  checksummed?: boolean;
  runs?: number;
}

async function fuzz(file: string, { region, fix, checksummed = false, runs = 250 }: FuzzOptions = {}): Promise<void> {
  const original = fixtureBytes(file);
  const reference = checksummed ? await weightsOf(original) : undefined;
  const [lo, hi] = region ? region(original) : [0, original.length];
  await fc.assert(
    fc.asyncProperty(mutations(lo, hi, region !== undefined), async (ms) => {
      const mutated = ms.reduce((b, m) => m(b), original);
      return survives(fix ? fix(mutated) : mutated, reference);
    }),
    { numRuns: runs, seed: 42 },
  );
}

/** The byte range of data.pkl inside a torch zip (mutated in place, so the zip stays valid). */
const dataPkl = (b: Uint8Array): [number, number] => {
  const e = findDataPkl(readZip(bytesSource(b)))!;
  return [e.dataOffset(), e.dataOffset() + e.size];
};

/** Writes data.pkl's CRC-32 into its central record, so a mutated pickle reaches the unpickler. */
const restampDataPkl = (b: Uint8Array): Uint8Array => {
  const e = findDataPkl(readZip(bytesSource(b)))!;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let at = b.length - 22;
  while (dv.getUint32(at, true) !== 0x06054b50) at--;
  let p = dv.getUint32(at + 16, true);
  const name = new TextEncoder().encode(e.name);
  while (!name.every((c, i) => b[p + 46 + i] === c) || dv.getUint16(p + 28, true) !== name.length) {
    p += 46 + dv.getUint16(p + 28, true) + dv.getUint16(p + 30, true) + dv.getUint16(p + 32, true);
  }
  const start = dv.getUint32(p + 42, true) + 30 + dv.getUint16(dv.getUint32(p + 42, true) + 26, true) + dv.getUint16(dv.getUint32(p + 42, true) + 28, true);
  dv.setUint32(p + 16, crc32(b.subarray(start, start + e.size)), true);
  return b;
};

describe('fuzzing the parsers with mutations of real files', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('torch zip: anywhere in the file, never loading changed weights', () => fuzz('state_zip.pth', { checksummed: true }));
  it('torch zip: inside data.pkl (valid zip, hostile pickle)', () => fuzz('nested_zip.pth', { region: dataPkl, fix: restampDataPkl, runs: 400 }));
  it('torch legacy pickles and storages', () => fuzz('state_legacy.pth'));
  it('torch legacy: inside the pickles only', () => fuzz('nested_legacy.pth', { region: (b) => [0, b.length - 200], runs: 400 }));
  it('safetensors', () => fuzz('expected.safetensors'));
  it('safetensors: inside the JSON header only', () => fuzz('expected.safetensors', { region: (b) => [0, 8 + Number(new DataView(b.buffer).getBigUint64(0, true))], runs: 400 }));
  it('npz, stored, never loading changed weights', () => fuzz('jax_stored.npz', { checksummed: true }));
  it('npz, deflated, never loading changed weights', () => fuzz('jax_deflated.npz', { checksummed: true }));
  it('random garbage', () =>
    fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 512 }), (b) => survives(b)), { numRuns: 300, seed: 7 }));

  it('answered every case quickly, with many kinds of typed errors', () => {
    expect(changedLoads).toBe(0);
    expect(slowest).toBeLessThan(1000);
    // the mutations reach deep: many different refusals, not just "unknown format"
    expect([...tally.keys()].length, JSON.stringify([...tally])).toBeGreaterThanOrEqual(8);
  });
});
