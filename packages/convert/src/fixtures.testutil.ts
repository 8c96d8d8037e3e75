// Test helpers: fixture paths and bytes, and the comparison against expected.safetensors (the
// values PyTorch/numpy wrote, as float32/int32, under `<group>/<key>`).
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { expectClose, loadFixture } from '@tfjs-vit/testing';
import { expect } from 'vitest';
import { CheckpointError, type CheckpointErrorCode } from './errors';

export const fixturePath = (name: string): string => new URL(`../fixtures/${name}`, import.meta.url).pathname;
export const fixtureBytes = (name: string): Uint8Array => new Uint8Array(readFileSync(fixturePath(name)));
export const expected = loadFixture(fixturePath('expected.safetensors'));

/** Every `group/*` entry of expected.safetensors equals (exactly) the tensor of the same key. */
export function expectMatches(tensors: Map<string, tf.Tensor>, group: string): void {
  const keys = expected.names().filter((n) => n.startsWith(`${group}/`)).map((n) => n.slice(group.length + 1));
  expect([...tensors.keys()].sort()).toEqual(keys.sort());
  for (const key of keys) {
    const got = tensors.get(key)!;
    const want = expected.tensor(`${group}/${key}`);
    expect(got.shape, `${key}: shape`).toEqual(want.shape);
    expect(got.dtype === 'bool' ? 'int32' : got.dtype, `${key}: dtype`).toBe(want.dtype);
    expectClose(Array.from(got.dataSync()), Array.from(want.dataSync()), 0, key);
    want.dispose();
  }
}

/** Runs `fn` and returns the CheckpointError it throws (failing if it throws anything else or nothing). */
export async function checkpointError(fn: () => unknown, code?: CheckpointErrorCode): Promise<CheckpointError> {
  let caught: unknown;
  try {
    await fn();
  } catch (err) {
    caught = err;
  }
  expect(caught, 'expected a CheckpointError').toBeInstanceOf(CheckpointError);
  if (code) expect((caught as CheckpointError).code, (caught as Error).message).toBe(code);
  return caught as CheckpointError;
}

/** A safetensors file from a header object and a data section (for hostile-header tests). */
export function makeSafetensors(header: unknown, data: Uint8Array, headerLength?: bigint): Uint8Array {
  const text = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + text.length + data.length);
  new DataView(out.buffer).setBigUint64(0, headerLength ?? BigInt(text.length), true);
  out.set(text, 8);
  out.set(data, 8 + text.length);
  return out;
}

export function disposeAll(tensors: Map<string, tf.Tensor>): void {
  for (const t of tensors.values()) t.dispose();
}
