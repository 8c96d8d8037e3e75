import '@tensorflow/tfjs-core/dist/register_all_gradients';
import * as tf from '@tensorflow/tfjs-core';
import { tensorGrowth, TEST_BACKENDS } from '@tfjs-vit/testing';
import { describe, expect, it } from 'vitest';
import { scaledDotProductAttention } from './attention';
import { gelu } from './gelu';
import { installLeanBackprop } from './lean_backprop';
import { layerNorm } from './layer_norm';
import { linear } from './matmul';
import { installWasmKernels } from './wasm_kernels';

const seeded = (shape: number[], seed: number) => tf.randomNormal(shape, 0, 1, 'float32', seed);

// Gradients that pass dy through unchanged, and one tensor returned for two inputs: the cases
// where a gradient is still someone else's after its node has run.
const passThrough = tf.customGrad(((a: tf.Tensor, save: tf.GradSaveFunc) => {
  save([]);
  return { value: tf.mul(a, 3), gradFunc: (dy: tf.Tensor) => dy };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as (a: tf.Tensor) => tf.Tensor;
const sameForBoth = tf.customGrad(((a: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
  save([]);
  return { value: tf.add(a, b), gradFunc: (dy: tf.Tensor) => [dy, dy] };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as (a: tf.Tensor, b: tf.Tensor) => tf.Tensor;

/** A pre-norm transformer block on [2, 5, 8] with 2 heads, from the ops the layers use. */
function block(x: tf.Tensor, w: tf.Tensor[]): tf.Tensor {
  const [g, b, wqkv, bqkv, wo, w1, w2] = w;
  const t = tf.reshape(layerNorm(x, g, b), [10, 8]);
  const heads = (m: tf.Tensor) => tf.transpose(tf.reshape(m, [2, 5, 2, 4]), [0, 2, 1, 3]);
  const [q, k, v] = tf.split(linear(t, wqkv, bqkv), 3, 1).map(heads);
  const a = tf.reshape(tf.transpose(scaledDotProductAttention(q, k, v), [0, 2, 1, 3]), [10, 8]);
  const x1 = tf.add(x, tf.reshape(linear(a, wo), [2, 5, 8]));
  return tf.add(x1, tf.reshape(linear(gelu(linear(tf.reshape(layerNorm(x1), [10, 8]), w1)), w2), [2, 5, 8]));
}

/** Every case's gradients as plain arrays, on the current backend. */
function gradients(): Record<string, number[][]> {
  return tf.tidy(() => {
    const x = seeded([2, 5, 8], 1);
    const w = [tf.add(1, seeded([8], 2)), seeded([8], 3), seeded([8, 24], 4), seeded([24], 5), seeded([8, 8], 6), seeded([8, 16], 7), seeded([16, 8], 8)];
    const read = (ts: tf.Tensor[]) => ts.map((t) => Array.from(t.dataSync()));
    const chain = (v: tf.Tensor) => {
      let h = v;
      for (let i = 0; i < 12; i++) h = tf.tanh(tf.add(tf.mul(h, 1.1), h)); // h feeds two ops each step
      return tf.sum(tf.mul(passThrough(h), sameForBoth(h, tf.square(v))));
    };
    const dy = tf.fill([2, 5, 8], 0.5);
    const withDy = tf.grads((v: tf.Tensor) => block(v, w))([x], dy);
    expect(dy.isDisposed).toBe(false); // the caller's dy is theirs
    return {
      block: read(tf.grads((v: tf.Tensor, ...ws: tf.Tensor[]) => tf.sum(tf.square(block(v, ws))))([x, ...w])),
      chain: read(tf.grads(chain)([x])),
      withDy: read(withDy),
    };
  });
}

/**
 * Live data buffers when the backward walk reaches the first op of a 40-op chain — what the walk
 * still holds (every gradient and saved tensor on tfjs' own walk; a handful on the lean one).
 */
function buffersAtBottom(): number {
  let seen = -1;
  const probe = tf.customGrad(((a: tf.Tensor, save: tf.GradSaveFunc) => {
    save([]);
    return {
      value: tf.mul(a, 1),
      gradFunc: (dy: tf.Tensor) => {
        seen = tf.memory().numDataBuffers;
        return tf.mul(dy, 1);
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]) as (a: tf.Tensor) => tf.Tensor;
  const x = seeded([64], 9);
  const before = tf.memory().numDataBuffers;
  const g = tf.grad((v: tf.Tensor) => {
    let h = probe(v);
    for (let i = 0; i < 40; i++) h = tf.sin(h);
    return tf.sum(h);
  })(x);
  tf.dispose([g, x]);
  return seen - before;
}

describe('installLeanBackprop', () => {
  const reference: Record<string, Record<string, number[][]>> = {};
  const held: Record<string, number> = {};

  it('tfjs\' own walk first: the reference gradients and what it holds', async () => {
    for (const backend of TEST_BACKENDS) {
      await tf.setBackend(backend);
      if (backend === 'wasm') installWasmKernels();
      reference[backend] = gradients();
      held[backend] = buffersAtBottom();
      expect(held[backend]).toBeGreaterThan(70); // ~40 saved sines + ~40 gradients
    }
  });

  it('gives bitwise the same gradients (block with attention, pass-through and shared dy, caller dy)', async () => {
    installLeanBackprop();
    installLeanBackprop(); // idempotent
    for (const backend of TEST_BACKENDS) {
      await tf.setBackend(backend);
      expect(gradients()).toEqual(reference[backend]);
    }
  });

  it('holds a handful of buffers where tfjs\' walk held every gradient and saved tensor', async () => {
    for (const backend of TEST_BACKENDS) {
      await tf.setBackend(backend);
      const lean = buffersAtBottom();
      console.log(`${backend}: live buffers at the bottom of a 40-op chain: ${held[backend]} → ${lean}`);
      expect(lean).toBeLessThan(10);
    }
  });

  it('leaks nothing, and a kept forward result (logits) survives the walk', async () => {
    for (const backend of TEST_BACKENDS) {
      await tf.setBackend(backend);
      const x = seeded([2, 5, 8], 1);
      const w = [tf.ones([8]), tf.zeros([8]), seeded([8, 24], 4), seeded([24], 5), seeded([8, 8], 6), seeded([8, 16], 7), seeded([16, 8], 8)];
      const vars = w.map((t) => tf.variable(t));
      expect(tensorGrowth(() => {
        let kept: tf.Tensor | undefined;
        const { value, grads } = tf.variableGrads(() => {
          kept = tf.keep(block(x, vars));
          return tf.sum(kept);
        }, vars);
        expect(kept!.isDisposed).toBe(false);
        expect(kept!.dataSync().length).toBe(80);
        return [value, kept!, ...Object.values(grads)];
      })).toBe(0);
      tf.dispose([x, ...w, ...vars]);
    }
  });
});
