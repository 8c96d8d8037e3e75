// The core ops on the webgpu backend (Node + Dawn via the `webgpu` package) against the PyTorch
// fixtures. Here the only adapter is SwiftShader (Chromium's Vulkan ICD, apt `chromium`); without
// it (or TFJS_VIT_WEBGPU=0) the suite is skipped with a message.
import { existsSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { expectClose, loadFixture } from '@tfjs-vit/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { scaledDotProductAttentionWithWeights } from './attention';
import { gelu, geluTanh, hasErfKernel } from './gelu';
import { interpolateBicubic } from './interpolate';
import { layerNorm } from './layer_norm';
import { selectBackend } from './select_backend';

const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
const fixture = (name: string) => loadFixture(new URL(`../fixtures/${name}.safetensors`, import.meta.url));

/** webgpu's dataSync needs OffscreenCanvas (absent in Node), so read back asynchronously. */
async function expectCloseAsync(actual: tf.Tensor, expected: Float32Array | Int32Array, what: string): Promise<void> {
  const got = (await actual.data()) as Float32Array;
  actual.dispose();
  expectClose(got, expected, 1e-4, what);
}

function webgpuAvailable(): boolean {
  const why = process.env.TFJS_VIT_WEBGPU === '0' ? 'TFJS_VIT_WEBGPU=0'
    : !process.env.VK_ICD_FILENAMES && !existsSync(SWIFTSHADER_ICD) ? `no Vulkan ICD (set VK_ICD_FILENAMES, or apt-get install -y chromium for ${SWIFTSHADER_ICD})`
    : null;
  if (why) process.stderr.write(`SKIPPED ops on webgpu: ${why}\n`);
  return why === null;
}

describe.skipIf(!webgpuAvailable())('ops on webgpu (Dawn, SwiftShader here)', () => {
  beforeAll(async () => {
    if (!process.env.VK_ICD_FILENAMES && existsSync(SWIFTSHADER_ICD)) process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
    const choice = await selectBackend({ prefer: 'webgpu' });
    expect(choice.backend, choice.tried.map((t) => `${t.name}: ${t.reason}`).join('\n')).toBe('webgpu');
  });

  it('has an Erf kernel, so gelu uses it', () => {
    expect(hasErfKernel('webgpu')).toBe(true);
  });

  it('gelu and geluTanh match PyTorch', async () => {
    const fx = fixture('gelu');
    const x = fx.tensor('x');
    await expectCloseAsync(gelu(x), fx.data('erf.out'), 'gelu');
    await expectCloseAsync(geluTanh(x), fx.data('tanh.out'), 'geluTanh');
    x.dispose();
  });

  it('layerNorm matches PyTorch', async () => {
    const fx = fixture('layer_norm');
    const y = tf.tidy(() => layerNorm(fx.tensor('x'), fx.tensor('gamma'), fx.tensor('beta'), Number(fx.meta.eps)));
    await expectCloseAsync(y, fx.data('out'), 'layerNorm');
  });

  it('attention matches PyTorch', async () => {
    const fx = fixture('attention');
    const [q, k, v] = [fx.tensor('q'), fx.tensor('k'), fx.tensor('v')];
    const r = scaledDotProductAttentionWithWeights(q, k, v);
    await expectCloseAsync(r.output, fx.data('out'), 'output');
    await expectCloseAsync(r.weights, fx.data('weights'), 'weights');
    tf.dispose([q, k, v]);
  });

  it('bicubic antialiased pos-embed resampling matches PyTorch', async () => {
    const fx = fixture('interpolate_pos_embed');
    const grid = tf.tidy(() => {
      const pos = fx.tensor('pos');
      const C = pos.shape[2] as number;
      return interpolateBicubic(tf.reshape(pos, [1, 14, 14, C]), [24, 24], { antialias: true });
    });
    await expectCloseAsync(grid, fx.data('out'), 'pos embed'); // same element order as [1, 576, C]
  });
});
