import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { trainingCurveSvg } from './curve_svg';
import { JsonlLogger } from './metric_log';
import { formatProgress, ProgressPrinter } from './progress';

const root = mkdtempSync(join(tmpdir(), 'tfjs-vit-report-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('progress, JSONL log, curve SVG', () => {
  it('formats the progress line with a bar when the length is known', () => {
    const line = formatProgress({ epoch: 1, epochs: 10, batch: 49, batches: 100, loss: 0.53214, accuracy: 0.8123, lr: 4e-4, imagesPerSec: 1234.4 }, 10);
    expect(line).toBe('epoch 2/10 [#####-----] 50/100 loss 0.5321 acc 81.2% lr 4.00e-4 1234 img/s');
    expect(formatProgress({ epoch: 0, epochs: 1, batch: 0, loss: 1, lr: 1, imagesPerSec: 1 })).toContain('batch 1 ');
  });

  it('plain mode prints every N batches; CI forces plain mode', () => {
    const out: string[] = [];
    const p = new ProgressPrinter({ stream: { write: (s: string) => out.push(s), isTTY: false }, every: 2 });
    expect(p.tty).toBe(false);
    for (let b = 0; b < 5; b++) p.batch({ epoch: 0, epochs: 1, batch: b, loss: 1, lr: 1, imagesPerSec: 1 });
    expect(out.length).toBe(2);
    const saved = process.env.CI;
    process.env.CI = 'true';
    expect(new ProgressPrinter({ stream: { write: () => 0, isTTY: true } }).tty).toBe(false);
    if (saved === undefined) delete process.env.CI;
    else process.env.CI = saved;
  });

  it('JSONL lines are valid JSON even with NaN', () => {
    const path = join(root, 'sub', 'm.jsonl');
    const log = new JsonlLogger(path);
    log.write({ a: 1, b: Number.NaN });
    log.write({ a: 2, b: Infinity });
    const rows = readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(rows).toEqual([{ a: 1, b: 'NaN' }, { a: 2, b: 'Infinity' }]);
  });

  it('the curve SVG has one polyline per present series and survives empty / NaN input', () => {
    const svg = trainingCurveSvg([
      { epoch: 1, trainLoss: 2, valLoss: 2.1, trainAcc: 0.3 },
      { epoch: 2, trainLoss: 1, valLoss: Number.NaN, trainAcc: 0.6 },
    ], 'a & b');
    expect(svg.match(/<polyline/g)!.length).toBe(3); // trainLoss, valLoss (one finite point), trainAcc
    expect(svg).toContain('a &amp; b');
    expect(svg).not.toContain('NaN');
    const empty = trainingCurveSvg([]);
    expect(empty).toMatch(/^<svg/);
    expect(empty).not.toContain('NaN');
  });
});
