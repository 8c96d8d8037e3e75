// Fuzzing the parsers with mutations of real files: only CheckpointErrors (or success) may come
// out, each case quickly. Not a backend matter: runs once, on cpu.
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
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

async function survives(bytes: Uint8Array): Promise<boolean> {
  const t0 = performance.now();
  try {
    const { tensors } = await readCheckpoint(bytes);
    tf.dispose([...tensors.values()]);
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

async function fuzz(file: string, region?: (b: Uint8Array) => [number, number], runs = 250): Promise<void> {
  const original = fixtureBytes(file);
  const [lo, hi] = region ? region(original) : [0, original.length];
  await fc.assert(
    fc.asyncProperty(mutations(lo, hi, region !== undefined), async (ms) => survives(ms.reduce((b, m) => m(b), original))),
    { numRuns: runs, seed: 42 },
  );
}

/** The byte range of data.pkl inside a torch zip (mutated in place, so the zip stays valid). */
const dataPkl = (b: Uint8Array): [number, number] => {
  const e = findDataPkl(readZip(bytesSource(b)))!;
  return [e.dataOffset(), e.dataOffset() + e.size];
};

describe('fuzzing the parsers with mutations of real files', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('torch zip: anywhere in the file', () => fuzz('state_zip.pth'));
  it('torch zip: inside data.pkl (valid zip, hostile pickle)', () => fuzz('nested_zip.pth', dataPkl, 400));
  it('torch legacy pickles and storages', () => fuzz('state_legacy.pth'));
  it('torch legacy: inside the pickles only', () => fuzz('nested_legacy.pth', (b) => [0, b.length - 200], 400));
  it('safetensors', () => fuzz('expected.safetensors'));
  it('safetensors: inside the JSON header only', () => fuzz('expected.safetensors', (b) => [0, 8 + Number(new DataView(b.buffer).getBigUint64(0, true))], 400));
  it('npz, stored', () => fuzz('jax_stored.npz'));
  it('npz, deflated', () => fuzz('jax_deflated.npz'));
  it('random garbage', () =>
    fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 512 }), survives), { numRuns: 300, seed: 7 }));

  it('answered every case quickly, with many kinds of typed errors', () => {
    expect(slowest).toBeLessThan(1000);
    // the mutations reach deep: many different refusals, not just "unknown format"
    expect([...tally.keys()].length, JSON.stringify([...tally])).toBeGreaterThanOrEqual(8);
  });
});
