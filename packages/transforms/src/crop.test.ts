import { describe, expect, it } from 'vitest';
import { CenterCrop, crop } from './crop';
import { hflip, RandomHorizontalFlip } from './flip';
import { RandomResizedCrop, randomResizedCropParams, resizedCrop, type CropParams } from './random_resized_crop';
import { Rng } from './rng';
import { imageFixture, maxDiff } from './test_fixtures';

const fx = imageFixture('crop');
interface CenterCase { kind: 'center'; key: string; image: string; size: number | [number, number] }
interface RrcCase {
  kind: 'resized_crop'; key: string; image: string; params: CropParams; size: [number, number];
  interpolation: 'bilinear' | 'bicubic';
}
const cases = fx.meta.cases as (CenterCase | RrcCase)[];

// Measured against torchvision 0.14 on PIL: exact (0 levels) for every crop case below.
describe('CenterCrop vs torchvision (incl. zero padding when larger)', () => {
  for (const c of cases.filter((c): c is CenterCase => c.kind === 'center')) {
    it(c.key, () => {
      const want = fx.image(c.key);
      const got = new CenterCrop(c.size).call(fx.image(`input.${c.image}`));
      expect([got.height, got.width]).toEqual([want.height, want.width]);
      expect(maxDiff(got.data, want.data)).toBe(0);
    });
  }
});

describe('resizedCrop vs torchvision resized_crop on the params torchvision sampled', () => {
  for (const c of cases.filter((c): c is RrcCase => c.kind === 'resized_crop')) {
    it(`${c.key} params=${c.params}`, () => {
      const want = fx.image(c.key);
      const got = resizedCrop(fx.image(`input.${c.image}`), c.params, c.size, c.interpolation);
      expect(maxDiff(got.data, want.data)).toBe(0);
    });
  }
});

describe('RandomResizedCrop sampling', () => {
  it('falls back to torchvision’s center crop when nothing fits', () => {
    for (const f of fx.meta.fallbacks as { height: number; width: number; params: CropParams }[]) {
      const got = randomResizedCropParams(f.height, f.width, [2, 3], [3 / 4, 4 / 3], new Rng(1));
      expect(got).toEqual(f.params);
    }
  });
  it('samples windows inside the image with area and ratio in range', () => {
    const rng = new Rng(3);
    let sumArea = 0;
    for (let i = 0; i < 500; i++) {
      const [top, left, h, w] = randomResizedCropParams(300, 400, [0.08, 1], [3 / 4, 4 / 3], rng);
      expect(top).toBeGreaterThanOrEqual(0);
      expect(left).toBeGreaterThanOrEqual(0);
      expect(top + h).toBeLessThanOrEqual(300);
      expect(left + w).toBeLessThanOrEqual(400);
      const area = (h * w) / (300 * 400);
      expect(area).toBeGreaterThan(0.07);
      expect(w / h).toBeGreaterThan(0.7);
      expect(w / h).toBeLessThan(1.4);
      sumArea += area;
    }
    // E[area] is a bit below (0.08 + 1) / 2 because large crops with extreme ratios are rejected.
    expect(sumArea / 500).toBeGreaterThan(0.4);
    expect(sumArea / 500).toBeLessThan(0.56);
  });
  it('is reproducible under a seed and sized as asked', () => {
    const img = fx.image('input.a');
    const a = new RandomResizedCrop(16, { seed: 7 }).call(img);
    const b = new RandomResizedCrop(16, { seed: 7 }).call(img);
    const c = new RandomResizedCrop(16, { seed: 8 }).call(img);
    expect([a.height, a.width]).toEqual([16, 16]);
    expect(maxDiff(a.data, b.data)).toBe(0);
    expect(maxDiff(a.data, c.data)).toBeGreaterThan(0);
  });
});

describe('flip and crop', () => {
  it('hflip matches torchvision', () => {
    for (const k of ['a', 'b']) expect(maxDiff(hflip(fx.image(`input.${k}`)).data, fx.image(`hflip.${k}`).data)).toBe(0);
  });
  it('RandomHorizontalFlip flips about p of the time, reproducibly', () => {
    const img = fx.image('input.a');
    const t = new RandomHorizontalFlip(0.3, { seed: 1 });
    let flips = 0;
    for (let i = 0; i < 1000; i++) if (t.call(img) !== img) flips++;
    expect(flips).toBeGreaterThan(250);
    expect(flips).toBeLessThan(350);
    expect(new RandomHorizontalFlip(1).call(img)).not.toBe(img);
    expect(new RandomHorizontalFlip(0).call(img)).toBe(img);
  });
  it('crop zero-fills outside the image', () => {
    const img = { data: Uint8Array.from([1, 2, 3, 4]), width: 2, height: 2, channels: 1 };
    expect(Array.from(crop(img, -1, 1, 3, 2).data)).toEqual([0, 0, 2, 0, 4, 0]);
  });
});
