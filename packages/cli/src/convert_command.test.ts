import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '@tensorflow/tfjs-backend-cpu';
import { createModel } from '@tfjs-vit/models';
import { describe, expect, it } from 'vitest';
import { resolveOutput } from './convert_command';
import { formatModelTable, modelRows } from './models_command';

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
