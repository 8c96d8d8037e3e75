import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { ArgumentError, BackendError } from './errors';
import { BACKEND_ORDER, selectBackend } from './select_backend';

describe('selectBackend', () => {
  // No backend is imported up front: selectBackend must load each one itself.
  it('chooses wasm here and explains every skipped candidate', async () => {
    const choice = await selectBackend();
    expect(choice.backend).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(choice.tried.map((t) => t.name)).toEqual(['webgpu', 'tfjs-node-gpu', 'tfjs-node', 'wasm']);
    const byName = Object.fromEntries(choice.tried.map((t) => [t.name, t]));
    // No hardware WebGPU here: either no adapter at all, or only SwiftShader, which is skipped.
    expect(byName.webgpu.ok).toBe(false);
    expect(byName.webgpu.reason).toMatch(/no WebGPU adapter|software adapter|not installed/);
    expect(byName['tfjs-node'].ok).toBe(false);
    expect(byName['tfjs-node'].reason).toMatch(/not installed/);
    expect(byName['tfjs-node-gpu'].reason).toMatch(/not installed/);
    expect(byName.wasm.ok).toBe(true);
    expect(choice.reason).toMatch(/^wasm:/);
  });

  it("prefer 'cpu' picks cpu first", async () => {
    const choice = await selectBackend({ prefer: 'cpu' });
    expect(choice.backend).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect(choice.tried).toHaveLength(1);
    expect(choice.tried[0]).toMatchObject({ name: 'cpu', ok: true });
    expect(choice.reason).toMatch(/preferred/);
  });

  it('a preferred candidate that is missing falls through to the default order', async () => {
    const choice = await selectBackend({ prefer: ['tfjs-node', 'wasm'] });
    expect(choice.backend).toBe('wasm');
    expect(choice.tried[0]).toMatchObject({ name: 'tfjs-node', ok: false });
  });

  it('fallback: false tries only the preferred candidates, and says why each failed', async () => {
    const err = await selectBackend({ prefer: ['tfjs-node-gpu', 'tfjs-node'], fallback: false }).catch((e) => e);
    expect(err).toBeInstanceOf(BackendError);
    expect(err.message).toMatch(/tfjs-node-gpu \(optional package @tensorflow\/tfjs-node-gpu not installed.*tfjs-node \(optional package/);
    expect(err.message).not.toMatch(/wasm|webgpu/);
    expect((await selectBackend({ prefer: 'cpu', fallback: false })).tried.map((t) => t.name)).toEqual(['cpu']);
    await selectBackend({ prefer: 'wasm' });
  });

  it('rejects unknown names', async () => {
    await expect(selectBackend({ prefer: 'cuda' })).rejects.toThrow(ArgumentError);
    expect(BACKEND_ORDER).toEqual(['webgpu', 'tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu']);
  });
});
