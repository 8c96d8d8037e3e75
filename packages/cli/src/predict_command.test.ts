// `tfjs-vit predict` / `embed` / `attention` / `info` on the committed timm fixture (test_vit,
// tools/fixtures/gen_pipeline.py with timm 1.0.28), run in-process through runCli.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { openNpy, bytesSource, readCheckpoint, serializeSafetensors } from '@tfjs-vit/convert';
import { loadFixture, maxAbsDiff } from '@tfjs-vit/testing';
import { loadImage } from '@tfjs-vit/transforms';
import { describe, expect, it } from 'vitest';
import { runInProcess } from './run_cli.testutil';

const fixtures = fileURLToPath(new URL('../../pipeline/fixtures/', import.meta.url));
const weights = join(fixtures, 'test_vit.pth');
const img = (n: string) => join(fixtures, 'images', n);
const timm = loadFixture(join(fixtures, 'predict.safetensors'));
const dir = mkdtempSync(join(tmpdir(), 'tfjs-vit-predict-'));

const run = runInProcess;

describe('tfjs-vit predict', () => {
  it("--json top-5 equals timm's resolve_data_config + create_transform + forward + softmax (≤ 1e-3), default and overridden preprocessing", async () => {
    const images = ['rgb.jpg', 'gray.png', 'alpha.png', 'cmyk.jpg', 'palette.gif', 'lossy.webp', 'tall.tiff', 'small.png'];
    for (const [config, flags] of [
      ['default', []],
      ['squash', ['--crop-mode', 'squash', '--crop-pct', '1', '--interpolation', 'bilinear']],
      ['rect', ['--input-size', '144x176', '--crop-pct', '0.875', '--interpolation', 'nearest']],
    ] as const) {
      const r = await run('predict', ...images.map(img), '--weights', weights, '--json', '--backend', 'cpu', ...flags);
      expect(r.code, r.stderr).toBe(0);
      const rows = JSON.parse(r.stdout) as { image: string; top: { index: number; label: string; prob: number }[] }[];
      expect(rows.map((x) => x.image)).toEqual(images.map(img));
      rows.forEach((row, i) => {
        const key = `${config}.${images[i]}`;
        const idx = Array.from(timm.data(`top5_index.${key}`));
        const prob = Array.from(timm.data(`top5_prob.${key}`));
        expect(row.top.map((p) => p.index), key).toEqual(idx);
        row.top.forEach((p, j) => expect(Math.abs(p.prob - prob[j]), key).toBeLessThanOrEqual(1e-3));
        expect(row.top[0].label).toBeTypeOf('string');
      });
    }
  });

  it('goes on past a corrupt, truncated, missing or non-image file, names each, and exits 2', async () => {
    const r = await run('predict', img('rgb.jpg'), img('truncated.jpg'), img('notes.txt'), join(dir, 'missing.png'), '--weights', weights, '--backend', 'cpu', '--topk', '1');
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/rgb\.jpg\n {2}0\.\d{4} {2}electric locomotive \(547\)/);
    expect(r.stderr).toMatch(/error IMAGE_DECODE: .*truncated\.jpg: cannot decode image/);
    expect(r.stderr).toMatch(/notes\.txt: cannot decode image/);
    expect(r.stderr).toMatch(/missing\.png: cannot read: no such file/);
    expect(r.stderr).toMatch(/3 of 4 images failed/);
  });

  it('expands folders and globs to their images; an empty folder or a glob with no match is an error', async () => {
    const folder = join(dir, 'photos');
    mkdirSync(join(folder, 'sub'), { recursive: true });
    copyFileSync(img('rgb.jpg'), join(folder, 'b.jpg'));
    copyFileSync(img('small.png'), join(folder, 'sub', 'a.png'));
    writeFileSync(join(folder, 'readme.txt'), 'not an image');
    const r = await run('predict', folder, `${dir}/photos/*.jpg`, '--weights', weights, '--backend', 'cpu', '--json', '--topk', '1');
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { image: string }[]).map((x) => x.image)).toEqual([join(folder, 'b.jpg'), join(folder, 'sub', 'a.png'), join(folder, 'b.jpg')]);
    mkdirSync(join(dir, 'empty'));
    const empty = await run('predict', join(dir, 'empty'), '--weights', weights, '--backend', 'cpu');
    expect(empty.code).toBe(1);
    expect(empty.stderr).toMatch(/error NO_IMAGES: .*empty: no images in this folder/);
    const none = await run('predict', `${dir}/photos/*.webp`, '--weights', weights, '--backend', 'cpu');
    expect(none.stderr).toMatch(/the pattern matches no images/);
  });

  it('labels from a file, --topk above the class count, an unknown model, a checkpoint that fits no model', async () => {
    const labels = join(dir, 'labels.txt');
    writeFileSync(labels, Array.from({ length: 1000 }, (_, i) => `thing ${i}`).join('\n'));
    const r = await run('predict', img('rgb.jpg'), '--weights', weights, '--labels', labels, '--topk', '1', '--backend', 'cpu');
    expect(r.stdout).toMatch(/thing 547 \(547\)/);
    const many = await run('predict', img('rgb.jpg'), '--weights', weights, '--topk', '1200', '--json', '--backend', 'cpu');
    expect(many.stderr).toMatch(/--topk 1200 is more than the model's 1000 classes: showing 1000/);
    expect(JSON.parse(many.stdout)[0].top).toHaveLength(1000);
    const unknown = await run('predict', img('rgb.jpg'), '--weights', weights, '--model', 'tst_vit', '--backend', 'cpu');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/error UNKNOWN_MODEL: unknown model "tst_vit"; did you mean "test_vit"/);
    const misfit = await run('predict', img('rgb.jpg'), '--weights', weights, '--model', 'vit_tiny_patch16_224', '--backend', 'cpu');
    expect(misfit.code).toBe(1);
    expect(misfit.stderr).toMatch(/error CHECKPOINT_ARCH_MISMATCH: checkpoint \(timm layout\) does not fit the model:\n {2}missing keys: blocks\.6/);
    expect(misfit.stderr).toMatch(/pos_embed: expected \[1, 197, 192\], got \[1, 101, 64\]/);
    const badFlag = await run('predict', img('rgb.jpg'), '--weights', weights, '--crop-mode', 'fit');
    expect(badFlag.code).toBe(1);
    expect(badFlag.stderr).toMatch(/option '--crop-mode <mode>' argument 'fit' is invalid/);
  });

  it('--runtime onnxruntime gives the same classes', async () => {
    const a = await run('predict', img('rgb.jpg'), img('tall.tiff'), '--weights', weights, '--json', '--backend', 'cpu');
    const b = await run('predict', img('rgb.jpg'), img('tall.tiff'), '--weights', weights, '--json', '--backend', 'cpu', '--runtime', 'onnxruntime');
    expect(b.code, b.stderr).toBe(0);
    const [ra, rb] = [JSON.parse(a.stdout), JSON.parse(b.stdout)] as { top: { index: number; prob: number }[] }[][];
    rb.forEach((row, i) => row.top.forEach((p, j) => {
      expect(p.index).toBe(ra[i].top[j].index);
      expect(Math.abs(p.prob - ra[i].top[j].prob)).toBeLessThan(1e-5);
    }));
  });

  it.skipIf(availableParallelism() < 2)('--workers 2 splits the images across two wasm workers: the same top-5 as one process, bad images named, exit 2', async () => {
    const images = ['rgb.jpg', 'gray.png', 'alpha.png', 'cmyk.jpg', 'truncated.jpg', 'palette.gif', 'lossy.webp', 'tall.tiff', 'small.png'].map(img);
    const one = await run('predict', ...images, '--weights', weights, '--json', '--backend', 'cpu');
    const pool = await run('predict', ...images, '--weights', weights, '--json', '--workers', '2', '--batch-size', '2');
    expect(pool.code, pool.stderr).toBe(2);
    expect(pool.stderr).toMatch(/backend: 2 workers × wasm \(1 thread\)/);
    expect(pool.stderr).toMatch(/error IMAGE_DECODE: .*truncated\.jpg: cannot decode image/);
    expect(pool.stderr).toMatch(/1 of 9 images failed/);
    const [ra, rb] = [JSON.parse(one.stdout), JSON.parse(pool.stdout)] as { image: string; top?: { index: number; prob: number }[]; error?: string }[][];
    expect(rb.map((r) => r.image)).toEqual(images);
    rb.forEach((row, i) => {
      if (i === 4) return expect(row.error).toMatch(/truncated\.jpg/);
      row.top!.forEach((p, j) => {
        expect(p.index).toBe(ra[i].top![j].index);
        expect(Math.abs(p.prob - ra[i].top![j].prob)).toBeLessThan(1e-5);
      });
    });
    const auto = await run('predict', img('rgb.jpg'), '--weights', weights, '--workers', 'auto', '--topk', '1');
    const cores = availableParallelism();
    // one image of test_vit (64 wide): one worker, and no threads (they slow small models down)
    expect(auto.stderr).toContain('backend: 1 worker × wasm (1 thread)');
    expect(auto.stderr).toMatch(/width 64 < 768/);
    expect(auto.stdout).toMatch(/electric locomotive \(547\)/);
    const over = await run('predict', img('rgb.jpg'), '--weights', weights, '--workers', String(cores), '--wasm-threads', '2');
    expect(over.code).toBe(1);
    expect(over.stderr).toContain(`workers × threadsPerWorker = ${cores} × 2 = ${2 * cores} is more than the ${cores} cores`);
    const ort = await run('predict', img('rgb.jpg'), '--weights', weights, '--workers', '2', '--runtime', 'onnxruntime');
    expect(ort.stderr).toMatch(/--workers runs tfjs-wasm workers/);
  });
});

describe('tfjs-vit embed / attention / info', () => {
  it("embed --out .npy holds timm's pre-logits features (≤ 1e-4), with the images listed beside it; .jsonl too", async () => {
    const out = join(dir, 'vec', 'vectors.npy');
    const r = await run('embed', img('rgb.jpg'), img('gray.png'), '--weights', weights, '--out', out, '--backend', 'cpu');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/wrote: .*vectors\.npy \(float32 \[2, 64\], prelogits\)/);
    const [entry] = [...openNpy(bytesSource(new Uint8Array(readFileSync(out)))).entries.values()];
    expect(entry.shape).toEqual([2, 64]);
    expect(maxAbsDiff(entry.values() as Float32Array, timm.data('embed.prelogits'))).toBeLessThanOrEqual(1e-4);
    expect(readFileSync(`${out}.txt`, 'utf8').trim().split('\n')).toEqual([img('rgb.jpg'), img('gray.png')]);
    const jsonl = join(dir, 'vec', 'v.jsonl');
    const j = await run('embed', img('rgb.jpg'), img('truncated.jpg'), '--weights', weights, '--out', jsonl, '--pool', 'avg', '--normalize', '--backend', 'cpu');
    expect(j.code).toBe(2);
    const lines = readFileSync(jsonl, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(1);
    expect(Math.hypot(...lines[0].embedding)).toBeCloseTo(1, 5);
    expect((await run('embed', img('rgb.jpg'), '--weights', weights, '--out', join(dir, 'v.csv'))).stderr).toMatch(/--out must end in \.npy or \.jsonl/);
  });

  it('attention writes the heatmap over the crop (and a per-head grid)', async () => {
    const out = join(dir, 'att', 'map.png');
    const r = await run('attention', img('rgb.jpg'), '--weights', weights, '--out', out, '--backend', 'cpu');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/wrote: .*map\.png \(160x160: rollout map over the 160x160 crop, grid 10x10\)/);
    const png = await loadImage(out);
    expect([png.width, png.height]).toEqual([160, 160]);
    const grid = join(dir, 'att', 'heads.png');
    const g = await run('attention', img('rgb.jpg'), '--weights', weights, '--out', grid, '--method', 'last', '--grid', '--backend', 'cpu');
    expect(g.stdout).toMatch(/last map, then the last block's 2 heads/);
    expect((await loadImage(grid)).width).toBe(2 * 160 + 4);
  });

  it("info names format, layout, dtypes, the registry match and stray keys; --json for programs", async () => {
    const r = await run('info', weights);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/file: .*test_vit\.pth \(torch-zip, 747\.8 KB, 80 tensors\)/);
    expect(r.stdout).toMatch(/dtypes: float16 × 80 \(371,240 values\)/);
    expect(r.stdout).toMatch(/architecture: test_vit \(embedDim 64, depth 6, heads 2, patch 16x16, img 160x160/);
    expect(r.stdout).toMatch(/keys that fit no model: none/);
    const j = JSON.parse((await run('info', weights, '--model', 'test_vit2', '--json')).stdout);
    expect(j.matches).toEqual(['test_vit2']);
    expect(j.unexpected.map((u: { key: string }) => u.key)).toContain('cls_token');
    expect(j.missing.map((u: { key: string }) => u.key)).toContain('reg_token');
    const junk = join(dir, 'junk.bin');
    writeFileSync(junk, 'hello');
    const bad = await run('info', junk);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^error CHECKPOINT_/);
  });

  it('a NaN in the weights: info counts it per key, predict refuses the file unless --allow-non-finite', async () => {
    await tf.setBackend('cpu');
    const { tensors } = await readCheckpoint(weights);
    const key = 'blocks.2.mlp.fc1.weight';
    const values = tensors.get(key)!.dataSync().slice();
    values[7] = Number.NaN;
    values[9] = Number.POSITIVE_INFINITY;
    tensors.set(key, tf.tensor(values, tensors.get(key)!.shape));
    const file = join(dir, 'nan.safetensors');
    writeFileSync(file, serializeSafetensors(tensors));
    tf.dispose([...tensors.values()]);
    const clean = await run('info', weights);
    expect(clean.stdout).toMatch(/non-finite values \(NaN\/Inf\): none/);
    const info = await run('info', file);
    expect(info.code, info.stderr).toBe(0);
    expect(info.stdout).toMatch(/non-finite values \(NaN\/Inf\): 2 in 1 key — loading refuses them without --allow-non-finite\n {2}non-finite: blocks\.2\.mlp\.fc1\.weight: 2/);
    const refused = await run('predict', img('rgb.jpg'), '--weights', file, '--backend', 'cpu');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/\nerror CHECKPOINT_NON_FINITE: blocks\.2\.mlp\.fc1\.weight: 2 of its \d+ values are NaN or infinite/);
    const allowed = await run('predict', img('rgb.jpg'), '--weights', file, '--backend', 'cpu', '--allow-non-finite', '--json');
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(JSON.parse(allowed.stdout)[0].image).toBe(img('rgb.jpg'));
  });

  it('every command has --help with an example', async () => {
    for (const c of ['predict', 'embed', 'attention', 'info', 'models', 'convert']) {
      const r = await run(c, '--help');
      expect(r.code, c).toBe(0);
      expect(r.stdout, c).toMatch(/Examples?:\n {2}\$ tfjs-vit /);
    }
    expect(existsSync(weights)).toBe(true);
  });
});
