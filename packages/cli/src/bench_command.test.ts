// `tfjs-vit bench` on timm's test_vit (small enough for CI): both engines run the same weights,
// their logits agree, and the table has one row per setting. Figures are printed, never asserted.
import { describe, expect, it } from 'vitest';
import type { BenchmarkRow } from '@tfjs-vit/pipeline';
import { runInProcess } from './run_cli.testutil';

const run = runInProcess;

describe('tfjs-vit bench', () => {
  it('times tfjs and onnxruntime on the same weights; their logits agree; the table has a row per setting', async () => {
    const r = await run('bench', '--model', 'test_vit', '--batch', '1,2', '--runs', '1', '--runtime', 'tfjs,onnxruntime', '--backend', 'cpu', '--json');
    expect(r.code, r.stderr).toBe(0);
    const rows = JSON.parse(r.stdout) as BenchmarkRow[];
    expect(rows.map((x) => [x.model, x.batch, x.engine])).toEqual([
      ['test_vit', 1, 'cpu'], ['test_vit', 1, 'onnxruntime-node'], ['test_vit', 2, 'cpu'], ['test_vit', 2, 'onnxruntime-node'],
    ]);
    expect(rows.every((x) => x.params === 371240 && x.msPerImage > 0)).toBe(true);
    expect(rows.filter((x) => x.runtime === 'tfjs').map((x) => [x.ratio, x.maxAbsDiff])).toEqual([[1, 0], [1, 0]]);
    for (const x of rows.filter((x) => x.runtime === 'onnxruntime')) expect(x.maxAbsDiff).toBeLessThan(1e-4);
    expect(r.stderr).toMatch(/backend cpu, \d+ cores, Node \d+/);

    const table = await run('bench', '--model', 'test_vit', '--batch', '1', '--runs', '1', '--backend', 'cpu');
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout.split('\n')).toHaveLength(3);
    expect(table.stdout).toMatch(/^\| model \| params \|[^\n]*\n[^\n]*\n\| test_vit \| 0\.4M \| 1 \| cpu \| \d+\.\d \| \d+\.\d\d \| 1\.00× \| 0\.0e\+0 \|$/);
  });

  it('bad flags are one line and exit 1: an unknown model names the nearest, a bad runtime or batch is refused', async () => {
    const unknown = await run('bench', '--model', 'vit_tiny_patch16_22', '--backend', 'cpu');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/vit_tiny_patch16_224/);
    const runtime = await run('bench', '--runtime', 'pytorch', '--backend', 'cpu');
    expect([runtime.code, runtime.stderr]).toEqual([1, expect.stringMatching(/--runtime must be tfjs or onnxruntime, got 'pytorch'/)]);
    const batch = await run('bench', '--batch', '0', '--backend', 'cpu');
    expect(batch.code).toBe(1);
    expect(batch.stderr).toMatch(/--batch must be an integer ≥ 1, got '0'/);
  });
});
