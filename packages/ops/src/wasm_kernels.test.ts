import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import fc from 'fast-check';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { registerGradients } from './register_gradients';
import { installWasmKernels } from './wasm_kernels';

const originals = Object.fromEntries([tf.Slice, tf.Unpack, tf.SplitV, tf.Identity].map((n) => [n, tf.getKernel(n, 'wasm').kernelFunc]));

/** Runs `f` on cpu and on wasm and returns both results as nested arrays. */
async function onBoth<T>(f: () => tf.Tensor | tf.Tensor[]): Promise<[T, T]> {
  const out: T[] = [];
  for (const backend of ['cpu', 'wasm']) {
    await tf.setBackend(backend);
    const r = f();
    const ts = Array.isArray(r) ? r : [r];
    out.push((await Promise.all(ts.map((t) => t.array()))) as T);
    tf.dispose(ts);
  }
  return out as [T, T];
}

/** A shape of rank 1–4 with a box inside it. */
const boxes = fc
  .array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 4 })
  .chain((shape) =>
    fc.tuple(
      fc.constant(shape),
      fc.tuple(...shape.map((n) => fc.integer({ min: 0, max: n - 1 }).chain((b) => fc.tuple(fc.constant(b), fc.integer({ min: 0, max: n - b }))))),
    ),
  );

describe('installWasmKernels', () => {
  beforeAll(async () => {
    await tf.setBackend('wasm');
    await tf.ready();
    await registerGradients();
    expect(installWasmKernels()).toBe(true);
  });

  it('replaces the four kernels, once', () => {
    for (const name of [tf.Slice, tf.Unpack, tf.SplitV, tf.Identity]) expect(tf.getKernel(name, 'wasm').kernelFunc).not.toBe(originals[name]);
    const slice = tf.getKernel(tf.Slice, 'wasm').kernelFunc;
    expect(installWasmKernels()).toBe(true);
    expect(tf.getKernel(tf.Slice, 'wasm').kernelFunc).toBe(slice);
  });

  it('clone (Identity) shares the data, as on cpu; the values outlive the original, and grads through it are right', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor([1, 2, 3, 4], [2, 2]);
    const before = tf.memory().numDataBuffers;
    const y = tf.clone(x);
    expect(y.dataId).toBe(x.dataId);
    expect(tf.memory().numDataBuffers).toBe(before);
    x.dispose();
    expect(Array.from(y.dataSync())).toEqual([1, 2, 3, 4]);
    const g = tf.grad((v: tf.Tensor) => tf.sum(tf.square(tf.clone(v))))(y);
    expect(Array.from(g.dataSync())).toEqual([2, 4, 6, 8]);
    const v = tf.variable(y);
    v.assign(tf.tensor([9, 9, 9, 9], [2, 2]));
    expect(Array.from(y.dataSync())).toEqual([1, 2, 3, 4]); // a variable's assign never writes a shared buffer
    tf.dispose([y, g, v]);
  });

  it('never copies the whole input out of the heap (tfjs 4.22 reads it once per output)', async () => {
    await tf.setBackend('wasm');
    const x = tf.randomNormal([12, 20, 20]);
    const backend = tf.backend() as unknown as { readSync(...a: unknown[]): unknown };
    const readSync = vi.spyOn(backend, 'readSync');
    const parts = [...tf.unstack(x), ...tf.split(x, [5, 15], 2), tf.slice(x, [3, 0, 0], [2, 20, 20])];
    expect(readSync).not.toHaveBeenCalled();
    readSync.mockRestore();
    tf.dispose([x, ...parts]);
  });

  it('slices every box of random shapes as cpu does (float32, int32, bool)', async () => {
    await fc.assert(
      fc.asyncProperty(boxes, fc.constantFrom('float32', 'int32', 'bool'), async ([shape, box], dtype) => {
        const n = shape.reduce((a, b) => a * b, 1);
        const values = Array.from({ length: n }, (_, i) => (dtype === 'bool' ? i % 3 === 0 : i * 7 - 11));
        const begin = box.map(([b]) => b);
        const size = box.map(([, s]) => s);
        const [cpu, wasm] = await onBoth(() => tf.slice(tf.tensor(values as number[] | boolean[], shape, dtype as tf.DataType), begin, size));
        expect(wasm).toEqual(cpu);
      }),
      { numRuns: 150 },
    );
  });

  it('unstacks and splits along every axis as cpu does', async () => {
    const shape = [3, 4, 5, 2];
    const x = () => tf.reshape(tf.range(0, 120), shape);
    for (let axis = 0; axis < 4; axis++) {
      const [cpuU, wasmU] = await onBoth(() => tf.unstack(x(), axis));
      expect(wasmU).toEqual(cpuU);
      const sizes = axis === 2 ? [1, 0, 4] : [1, -1];
      const [cpuS, wasmS] = await onBoth<unknown[]>(() => tf.split(x(), sizes, axis));
      expect(wasmS).toEqual(cpuS);
      expect(wasmS.length).toBe(sizes.length);
    }
    const [cpuE, wasmE] = await onBoth(() => tf.split(x(), 2, 3));
    expect(wasmE).toEqual(cpuE);
  });

  it('leaves strings to tfjs and keeps gradients and scalars working', async () => {
    await tf.setBackend('wasm');
    const s = tf.tensor(['a', 'b', 'c', 'd'], [2, 2], 'string');
    expect(await tf.slice(s, [1, 0], [1, 2]).array()).toEqual([['c', 'd']]);
    expect(await Promise.all(tf.unstack(s).map((t) => t.array()))).toEqual([['a', 'b'], ['c', 'd']]);
    const g = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.slice(x, [1], [2]), tf.tensor1d([2, 3]))))(tf.tensor1d([1, 1, 1, 1]));
    expect(await g.array()).toEqual([0, 2, 3, 0]);
    expect(await tf.slice(tf.tensor1d([4, 5]), [1], [0]).array()).toEqual([]);
  });
});
