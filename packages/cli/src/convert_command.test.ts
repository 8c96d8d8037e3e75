import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '@tensorflow/tfjs-backend-cpu';
import { createModel } from '@tfjs-vit/models';
import { beforeAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { loadModel } from '@tfjs-vit/convert';
import { expectClose, loadFixture } from '@tfjs-vit/testing';
import { resolveOutput, runConvert } from './convert_command';
import { formatModelTable, modelRows } from './models_command';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('convert output resolution', () => {
  it('picks the format from --format, else the extension, else tfjs; a directory gets model.<ext>', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tfjs-vit-out-'));
    expect(resolveOutput('web/vit')).toEqual({ format: 'tfjs', path: 'web/vit' });
    expect(resolveOutput('vit.ONNX')).toEqual({ format: 'onnx', path: 'vit.ONNX' });
    expect(resolveOutput('a/b.safetensors')).toEqual({ format: 'safetensors', path: 'a/b.safetensors' });
    expect(resolveOutput(dir, 'onnx')).toEqual({ format: 'onnx', path: join(dir, 'model.onnx') });
    expect(resolveOutput('new/', 'safetensors')).toEqual({ format: 'safetensors', path: join('new/', 'model.safetensors') });
    expect(() => resolveOutput('x', 'keras' as never)).toThrow(/--format must be tfjs, safetensors or onnx, got 'keras'/);
  });
});

describe('models table', () => {
  it('lists matching registered models with counts from their configs', () => {
    const rows = modelRows('vit_tiny_patch16_224');
    const model = createModel('vit_tiny_patch16_224'); // the counts agree with a built model's
    expect(rows).toEqual([['vit_tiny_patch16_224', model.numParameters()]]);
    model.dispose();
    const table = formatModelTable(rows).split('\n');
    expect(table[0]).toMatch(/^model\s+params$/);
    expect(table[1]).toBe(`vit_tiny_patch16_224  ${`${(rows[0][1] / 1e6).toFixed(1)}M`.padStart(8)}`);
    expect(modelRows('no_such_model*')).toEqual([]);
  });
});

const fixture = (name: string) => fileURLToPath(new URL(`../../convert/fixtures/${name}`, import.meta.url));

describe('convert --patch-size', () => {
  it("resamples a /16 checkpoint's patch kernel to /8 (timm's resample_patch_embed), says so, and the output gives timm's logits", async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'tfjs-vit-p8-')), 'web');
    const lines: string[] = [];
    const summary = await runConvert(fixture('resample_vit_p16.pth'), { out, numHeads: 2, patchSize: 8, plain: true }, (l) => lines.push(l));
    expect(summary.config.patchSize).toEqual([8, 8]);
    expect(lines).toContain('patch_embed: resampled 16x16 → 8x8 (bicubic, antialiased; timm resample_patch_embed)');
    expect(lines.some((l) => /^pos_embed: resampled 10 → 37 tokens \(grid 6x6, bicubic, antialiased\)$/.test(l))).toBe(true);
    const fx = loadFixture(fixture('resample_expected.safetensors'));
    const model = await loadModel(out);
    const y = tf.tidy(() => model.forward(tf.transpose(fx.tensor('in.x'), [0, 2, 3, 1])));
    expectClose(Array.from(y.dataSync()), fx.data('out.p8_logits'), 1e-4, 'converted /8 logits vs timm');
    tf.dispose(y);
    model.dispose();
  });

  it('--no-strict lists skipped keys with their shapes; a new head size shows both shapes', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'tfjs-vit-ns-')), 'web');
    const lines: string[] = [];
    await runConvert(fixture('resample_vit_p16.pth'), { out, numHeads: 2, numClasses: 3, strict: false, plain: true }, (l) => lines.push(l));
    expect(lines).toContain('keys: 0 missing, 0 unexpected, 0 mismatched, 2 dropped');
    expect(lines).toContain('  dropped: head.weight, head.bias (new head: checkpoint [5, 32] → [3, 32], [5] → [3])');
  });
});
