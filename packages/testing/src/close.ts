// Closeness checks with messages that say where and by how much two tensors differ.
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';

type Values = tf.Tensor | Float32Array | Int32Array | number[];

function values(v: Values): Float32Array {
  if (v instanceof tf.Tensor) return Float32Array.from(v.dataSync());
  return Float32Array.from(v);
}

/** Max |a - b| over all elements (NaN if either has a NaN where the other has not). */
export function maxAbsDiff(a: Values, b: Values): number {
  const x = values(a);
  const y = values(b);
  if (x.length !== y.length) throw new Error(`length ${x.length} vs ${y.length}`);
  let worst = 0;
  for (let i = 0; i < x.length; i++) {
    if (Number.isNaN(x[i]) !== Number.isNaN(y[i])) return Number.NaN;
    if (Number.isNaN(x[i])) continue;
    if (x[i] === y[i]) continue; // equal infinities
    worst = Math.max(worst, Math.abs(x[i] - y[i]));
  }
  return worst;
}

/** Asserts same shape (when both are shaped) and max abs diff ≤ atol. */
export function expectClose(actual: Values, expected: Values, atol = 1e-4, what = 'value'): void {
  if (actual instanceof tf.Tensor && expected instanceof tf.Tensor) {
    expect(actual.shape, `${what}: shape`).toEqual(expected.shape);
  }
  const d = maxAbsDiff(actual, expected);
  expect(d, `${what}: max abs diff ${d} > ${atol}`).toBeLessThanOrEqual(atol);
}

/** Asserts max |a-b| ≤ rtol · max|b| + atol: a relative check for gradients of any scale. */
export function expectRelClose(actual: Values, expected: Values, rtol = 1e-4, atol = 1e-6, what = 'value'): void {
  const y = values(expected);
  let scale = 0;
  for (const v of y) scale = Math.max(scale, Math.abs(v));
  const d = maxAbsDiff(actual, expected);
  const bound = rtol * scale + atol;
  expect(d, `${what}: max abs diff ${d} > ${bound} (scale ${scale})`).toBeLessThanOrEqual(bound);
}

/** Runs `fn` `times` times and returns how much tf.memory().numTensors grew (0 for a leak-free fn). */
export function tensorGrowth(fn: () => tf.Tensor | tf.Tensor[] | void, times = 3): number {
  const run = () => {
    const out = fn();
    if (out) tf.dispose(out);
  };
  run(); // warm-up: backends may cache constants on first use
  const before = tf.memory().numTensors;
  for (let i = 0; i < times; i++) run();
  return tf.memory().numTensors - before;
}
