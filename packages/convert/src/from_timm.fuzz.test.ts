// Fuzzing the mapping layer (the readers are fuzzed in fuzz.test.ts): state dicts of each source
// with keys deleted, renamed or re-shaped. fromTimm must either build a model or throw a typed
// CheckpointError — never a TypeError, never a tfjs shape assertion. Runs once, on cpu.
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { CheckpointError } from './errors';
import { fixturePath } from './fixtures.testutil';
import { fromTimm } from './from_timm';
import { readCheckpoint } from './read_checkpoint';

type Edit = { kind: 'delete' | 'rename' | 'reshape'; index: number; dim: number; size: number };

const edits = fc.array(
  fc.record({
    kind: fc.constantFrom('delete', 'rename', 'reshape') as fc.Arbitrary<Edit['kind']>,
    index: fc.nat(),
    dim: fc.nat(3),
    size: fc.integer({ min: 0, max: 40 }),
  }),
  { minLength: 1, maxLength: 3 },
);

function apply(source: Map<string, tf.Tensor>, list: Edit[], made: tf.Tensor[]): Map<string, tf.Tensor> {
  const out = new Map(source);
  for (const e of list) {
    const keys = [...out.keys()];
    const key = keys[e.index % keys.length]!;
    const t = out.get(key)!;
    if (e.kind === 'delete') out.delete(key);
    else if (e.kind === 'rename') {
      out.delete(key);
      out.set(`${key.slice(0, Math.max(1, key.length >> 1))}x`, t);
    } else {
      const shape = [...t.shape];
      if (shape.length) shape[e.dim % shape.length] = e.size;
      const z = tf.zeros(shape.length ? shape : [e.size]);
      made.push(z);
      out.set(key, z);
    }
  }
  return out;
}

describe('fromTimm on mutated state dicts', () => {
  const sources = new Map<string, Map<string, tf.Tensor>>();
  beforeAll(async () => {
    await tf.setBackend('cpu');
    for (const f of ['mapping_timm.pth', 'mapping_torchvision.pth', 'mapping_hf.safetensors', 'mapping_jax.npz']) {
      sources.set(f, (await readCheckpoint(fixturePath(f))).tensors);
    }
  });

  for (const file of ['mapping_timm.pth', 'mapping_torchvision.pth', 'mapping_hf.safetensors', 'mapping_jax.npz']) {
    it(`${file}: only typed errors`, async () => {
      const codes = new Map<string, number>();
      await fc.assert(
        fc.asyncProperty(edits, fc.boolean(), async (list, strict) => {
          const before = tf.memory().numTensors;
          const made: tf.Tensor[] = [];
          const mutated = apply(sources.get(file)!, list, made);
          try {
            const model = await fromTimm(mutated, { model: file.endsWith('.npz') ? undefined : { numHeads: 2 }, strict });
            model.dispose();
          } catch (err) {
            if (!(err instanceof CheckpointError)) throw err;
            codes.set(err.code, (codes.get(err.code) ?? 0) + 1);
          } finally {
            tf.dispose(made);
          }
          expect(tf.memory().numTensors).toBe(before);
        }),
        { numRuns: 300, seed: 4 },
      );
      expect(codes.size).toBeGreaterThan(0);
    });
  }
});
