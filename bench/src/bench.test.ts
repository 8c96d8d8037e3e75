// The benchmark's own check: `--quick` runs every case and peer once on toy sizes (so the script
// cannot rot), and what it reports is right — the engines agree on the logits and on the losses of
// a training step. No time is asserted anywhere.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM script without types
import { forwardMacs } from './report.mjs';

const run = (args: string[]) =>
  new Promise<{ code: number | null; stderr: string }>((resolve) => {
    const p = spawn(process.execPath, [fileURLToPath(new URL('./run.mjs', import.meta.url)), ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    p.stderr.on('data', (d) => (stderr += d));
    p.on('close', (code) => resolve({ code, stderr }));
  });

describe('forwardMacs', () => {
  // timm's model table (results-imagenet.csv / model cards) lists these GMACs.
  it.each([
    ['ViT-Ti/16 @224', { imgSize: 224, patchSize: 16, embedDim: 192, depth: 12, mlpRatio: 4, numClasses: 1000 }, 1.3],
    ['ViT-S/16 @224', { imgSize: 224, patchSize: 16, embedDim: 384, depth: 12, mlpRatio: 4, numClasses: 1000 }, 4.6],
    ['ViT-B/16 @224', { imgSize: 224, patchSize: 16, embedDim: 768, depth: 12, mlpRatio: 4, numClasses: 1000 }, 17.6],
    ['ViT-B/16 @384', { imgSize: 384, patchSize: 16, embedDim: 768, depth: 12, mlpRatio: 4, numClasses: 1000 }, 55.5],
  ])('%s matches timm to its rounding', (_, config, gmacs) => {
    expect(forwardMacs(config) / 1e9).toBeCloseTo(gmacs, 1);
  });
});

describe('npm run bench -- --quick', () => {
  it('runs every case on ours and each peer with the same answers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-test-'));
    const json = join(dir, 'bench.json');
    const md = join(dir, 'bench.md');
    const { code, stderr } = await run(['--quick', '--runs', '1', '--json', json, '--markdown', md]);
    expect(code, stderr).toBe(0);
    const report = JSON.parse(readFileSync(json, 'utf8'));
    expect(report.quick).toBe(true);
    expect(report.machine.cores).toBe(availableParallelism());
    expect(report.results.map((r: { name: string }) => r.name)).toEqual([
      'vit_tiny_patch16_224/infer/b1', 'vit_tiny_patch16_224/infer/b4', 'vit_tiny_patch16_224/train/b4', 'vit_tiny_patch16_224/train-head/b4',
    ]);
    const torch = report.machine.pytorch !== null;
    if (!torch) console.log(`SKIPPED the PyTorch peer: ${report.skipped.join('; ')}`);
    for (const r of report.results) {
      expect(Object.keys(r.ours_by_threads).map(Number)).toEqual(availableParallelism() >= 2 ? [1, 2] : [1]);
      expect(r.ours_s).toBe(Math.min(...(Object.values(r.ours_by_threads) as number[])));
      expect(r.tensor_growth).toBe(0);
      if (r.kind === 'infer') {
        expect(Object.keys(r.peers).sort()).toEqual(['onnxruntime-node', 'onnxruntime-web', 'onnxruntime-web-1t', ...(torch ? ['pytorch'] : [])].sort());
        for (const [engine, d] of Object.entries(r.max_abs_logit_diff)) expect(d, engine).toBeLessThanOrEqual(1e-4);
        expect(Object.keys(r.max_abs_logit_diff)).toContain('onnxruntime-node');
      } else if (torch) {
        // Step 1's loss is the forward pass; step 2's follows one AdamW update on each side.
        expect(r.losses.ours).toHaveLength(2);
        expect(r.max_abs_loss_diff).toBeLessThanOrEqual(1e-4);
        expect(r.losses.ours[1]).not.toBe(r.losses.ours[0]);
      }
    }
    // Conversions: the .pth PyTorch wrote (safetensors without torch) to each format, same size out
    expect(report.conversions.map((c: { name: string }) => c.name)).toEqual(['vit_tiny_patch16_224/convert/onnx', 'vit_tiny_patch16_224/convert/safetensors']);
    for (const c of report.conversions) {
      expect(c.input_format).toBe(torch ? 'torch-zip' : 'safetensors');
      expect(c.output_bytes / c.input_bytes).toBeGreaterThan(0.9);
      expect(c.output_bytes / c.input_bytes).toBeLessThan(1.1);
      expect(c.peak_rss_bytes).toBeGreaterThan(c.baseline_rss_bytes);
    }
    // The loader: every worker count on ours (and torchvision's with torch), images/s positive
    expect(report.loader.map((l: { workers: number }) => l.workers)).toEqual([0, 1]);
    for (const l of report.loader) {
      expect(l.ours_images_per_s).toBeGreaterThan(0);
      if (torch) expect(l.pytorch_images_per_s).toBeGreaterThan(0);
    }
    const text = readFileSync(md, 'utf8');
    expect(text).toContain('| vit_tiny_patch16_224/infer/b1 |');
    expect(text).toContain('| vit_tiny_patch16_224/convert/onnx |');
    expect(text).toContain('| workers | ours images/s |');
  });
});
