// `tfjs-vit train` at toy size: timm's test_vit (the committed timm 1.0.28 fixture) as the
// pretrained backbone, a generated class-per-folder dataset, a linear probe; then `predict` on the
// model it wrote, which carries its class names and preprocessing.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInProcess } from './run_cli.testutil';

const weights = fileURLToPath(new URL('../../pipeline/fixtures/test_vit.pth', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'tfjs-vit-train-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const CLASSES = ['blue', 'green', 'red'];

const run = runInProcess;

/** 48×40 PNGs, one dominant channel per class, jittered per image. */
async function makeFolder(dir: string, perClass: number): Promise<void> {
  for (const [c, name] of CLASSES.entries()) {
    mkdirSync(join(dir, name), { recursive: true });
    for (let k = 0; k < perClass; k++) {
      const px = new Uint8Array(48 * 40 * 3).map((_, i) => (i % 3 === (c + 2) % 3 ? 170 + ((i * 7 + k * 11) % 80) : (i * 13 + k) % 60));
      await sharp(Buffer.from(px), { raw: { width: 48, height: 40, channels: 3 } }).png().toFile(join(dir, name, `${k}.png`));
    }
  }
}

describe('tfjs-vit train', () => {
  const data = join(root, 'colours');
  const out = join(root, 'run');
  beforeAll(() => makeFolder(data, 5));

  it('linear-probes timm weights on a folder, writes the report, and predict uses the class names it recorded', async () => {
    const r = await run('train', data, '--model', 'test_vit', '--weights', weights, '--linear-probe', '--epochs', '20', '--lr', '0.05',
      '--batch-size', '4', '--input-size', '64', '--out', out, '--backend', 'cpu');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/15 images in 3 classes .*blue 5, green 5, red 5/);
    expect(r.stderr).toMatch(/12 for training, 3 for validation/);
    expect(r.stderr).toMatch(/dropped \(a head of another size; the new head starts fresh\): head\.weight, head\.bias/);
    expect(r.stdout).toMatch(/^val top-1 \d+\.\d\d%, top-5 100\.00% on 3 held-out images \(3 classes, 20 epochs, linear-probe\)/);
    for (const f of ['model.safetensors', 'labels.txt', 'results.json', 'curve.svg', 'curve.png', 'last']) expect(existsSync(join(out, f)), f).toBe(true);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(results.settings).toMatchObject({ model: 'test_vit', mode: 'linear-probe', epochs: 20, batchSize: 4, backend: 'cpu' });
    expect(results.dataConfig.inputSize).toEqual([3, 64, 64]);
    expect(results.history.at(-1).trainLoss).toBeLessThan(results.history[0].trainLoss);

    const p = await run('predict', join(data, 'red', '0.png'), '--weights', join(out, 'model.safetensors'), '--json', '--topk', '3', '--backend', 'cpu');
    expect(p.code, p.stderr).toBe(0);
    const [row] = JSON.parse(p.stdout) as { top: { label: string; prob: number }[] }[];
    expect(row.top.map((t) => t.label).sort()).toEqual(CLASSES);
    expect(p.stderr).toMatch(/preprocessing recorded in the checkpoint's metadata applies \(input 64x64/);
  });

  it('a corrupt image: the run stops naming it, or with --skip-bad goes on and counts it', async () => {
    const dirty = join(root, 'dirty');
    await makeFolder(dirty, 5);
    writeFileSync(join(dirty, 'green', '2.png'), 'not a png');
    const args = ['--model', 'test_vit', '--weights', weights, '--linear-probe', '--epochs', '2', '--batch-size', '4', '--input-size', '64', '--backend', 'cpu'];
    const stopped = await run('train', dirty, ...args, '--out', join(root, 'dirty-stop'));
    expect(stopped.code).toBe(1);
    expect(stopped.stderr).toMatch(/error IMAGE_DECODE: .*green\/2\.png/);
    const skipped = await run('train', dirty, ...args, '--out', join(root, 'dirty-skip'), '--skip-bad');
    expect(skipped.code, skipped.stderr).toBe(0);
    expect(skipped.stdout).toMatch(/skipped 1 image that failed to decode \(listed in the report\)/);
    expect(JSON.parse(readFileSync(join(root, 'dirty-skip', 'results.json'), 'utf8')).skippedImages).toEqual({ count: 1, files: [join('green', '2.png')] });
  });

  it('bad input: exclusive modes, an empty class folder, an unknown model — one line each and exit 1', async () => {
    const both = await run('train', data, '--model', 'test_vit', '--linear-probe', '--freeze-backbone', '--backend', 'cpu');
    expect([both.code, both.stderr]).toEqual([1, expect.stringMatching(/--linear-probe and --freeze-backbone exclude each other/)]);
    mkdirSync(join(root, 'holey', 'cats'), { recursive: true });
    mkdirSync(join(root, 'holey', 'dogs'), { recursive: true });
    await sharp({ create: { width: 8, height: 8, channels: 3, background: 'red' } }).png().toFile(join(root, 'holey', 'cats', 'a.png'));
    const empty = await run('train', join(root, 'holey'), '--model', 'test_vit', '--out', join(root, 'x'), '--backend', 'cpu');
    expect(empty.code).toBe(1);
    expect(empty.stderr).toMatch(/class folder .*dogs has no files with extensions/);
    const unknown = await run('train', data, '--model', 'test_vitt', '--backend', 'cpu');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/test_vit/);
  });
});
