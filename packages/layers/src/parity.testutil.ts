// Test helper (not exported): loads a gen_layers.py fixture into a module and checks the forward
// outputs and every parameter's (and the input's) gradient against PyTorch.
import * as tf from '@tensorflow/tfjs-core';
// Gradients are registered only by this side-effect import (or by @tensorflow/tfjs).
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { expectClose, expectRelClose, loadFixture, maxAbsDiff, type Fixture } from '@tfjs-vit/testing';
import { expect } from 'vitest';
import type { Module } from './module';

const names = new WeakMap<Fixture, string>();

export function fixture(name: string): Fixture {
  const fx = loadFixture(new URL(`../fixtures/${name}.safetensors`, import.meta.url));
  names.set(fx, name);
  return fx;
}

/** NCHW (PyTorch) ↔ NHWC (ours). */
export const nchwToNhwc = (t: tf.Tensor): tf.Tensor => tf.transpose(t, [0, 2, 3, 1]);

/** Loads `param.*` with a strict loadStateDict (throws on any missing/extra key or shape). */
export function loadParams(module: Module, fx: Fixture): void {
  const sd = fx.tensors('param.');
  try {
    module.loadStateDict(sd);
  } finally {
    tf.dispose([...sd.values()]);
  }
}

export interface ParityOptions {
  /** Turns the fixture's input into ours (e.g. NCHW → NHWC). */
  input?: (t: tf.Tensor) => tf.Tensor;
  /** Turns the fixture's i-th output (and probe) into our layout. */
  output?: (t: tf.Tensor, i: number) => tf.Tensor;
  atol?: number;
  rtol?: number;
}

/**
 * Strict-loads the fixture's weights, runs `forward` and compares outputs (max abs ≤ atol), then
 * the gradients of Σ out_i·probe_i w.r.t. every parameter and the input (relative ≤ rtol).
 * Returns the worst output abs diff and gradient relative diff for reporting.
 */
export function checkParity(
  module: Module,
  fx: Fixture,
  forward: (x: tf.Tensor) => tf.Tensor | tf.Tensor[],
  options: ParityOptions = {},
): void {
  const { atol = 1e-4, rtol = 1e-4 } = options;
  const toIn = options.input ?? ((t) => t);
  const toOut = options.output ?? ((t) => t);
  loadParams(module, fx);
  module.eval();
  const xRaw = fx.tensor('in.x');
  const x = tf.variable(tf.tidy(() => toIn(xRaw)), true);
  const nOut = fx.names().filter((n) => n.startsWith('out.')).length;
  const expected = Array.from({ length: nOut }, (_, i) => tf.tidy(() => toOut(fx.tensor(`out.${i}`), i)));
  const probes = Array.from({ length: nOut }, (_, i) => tf.tidy(() => toOut(fx.tensor(`probe.${i}`), i)));

  const outs = tf.tidy(() => [forward(x)].flat());
  expect(outs.length).toBe(nOut);
  outs.forEach((o, i) => expectClose(o, expected[i], atol, `out.${i}`));
  let worstOut = 0;
  outs.forEach((o, i) => (worstOut = Math.max(worstOut, maxAbsDiff(o, expected[i]))));
  let worstGrad = 0;
  // For the report: relative to the reference's scale; gradients that are zero in exact math
  // (e.g. k_norm.bias: softmax ignores a per-query constant) are float noise, so skip scales < 1e-4.
  const rel = (a: tf.Tensor, b: tf.Tensor) => {
    const scale = Math.max(...Array.from(b.dataSync(), Math.abs));
    return scale < 1e-4 ? 0 : maxAbsDiff(a, b) / scale;
  };

  const named = module.namedParameters();
  const grads = tf.variableGrads(() => {
    const ys = [forward(x)].flat();
    return tf.addN(ys.map((y, i) => tf.sum(tf.mul(y, probes[i])))) as tf.Scalar;
  }, [...module.trainableVariables(), x]);
  const gradKeys = fx.names().filter((n) => n.startsWith('grad.')).map((n) => n.slice(5));
  expect(named.map(([k]) => k).sort()).toEqual(gradKeys.sort());
  for (const [key, p] of named) {
    const g = grads.grads[p.variable.name];
    expect(g, `gradient of ${key}`).toBeDefined();
    const ours = tf.tidy(() => p.layout.toState(g));
    const ref = fx.tensor(`grad.${key}`);
    expect(ours.shape).toEqual(ref.shape);
    expectRelClose(ours, ref, rtol, 1e-6, `grad.${key}`);
    worstGrad = Math.max(worstGrad, rel(ours, ref));
    tf.dispose([ours, ref]);
  }
  const gIn = tf.tidy(() => toIn(fx.tensor('grad_in.x')));
  expectRelClose(grads.grads[x.name], gIn, rtol, 1e-6, 'grad_in.x');
  worstGrad = Math.max(worstGrad, rel(grads.grads[x.name], gIn));
  if (process.env.PARITY_REPORT) {
    console.log(`PARITY ${tf.getBackend()} ${names.get(fx) ?? ''} out ${worstOut.toExponential(2)} grad(rel) ${worstGrad.toExponential(2)}`);
  }
  tf.dispose([xRaw, x, gIn, grads.value, ...Object.values(grads.grads), ...outs, ...expected, ...probes]);
}

/** The stateDict() keys and shapes equal the fixture's PyTorch state dict's, exactly and in order-insensitive set. */
export function expectSameStateDict(module: Module, fx: Fixture): void {
  const sd = module.stateDict();
  const ours = [...sd.entries()].map(([k, t]) => `${k} ${JSON.stringify(t.shape)}`).sort();
  const ref = fx
    .names()
    .filter((n) => n.startsWith('param.'))
    .map((n) => `${n.slice(6)} ${JSON.stringify(fx.shape(n))}`)
    .sort();
  tf.dispose([...sd.values()]);
  expect(ours).toEqual(ref);
}
