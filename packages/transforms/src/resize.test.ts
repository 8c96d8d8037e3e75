import { describe, expect, it } from 'vitest';
import { resampleImage } from './resample';
import { Resize, resize, resizedSize } from './resize';
import { imageFixture, maxDiff } from './test_fixtures';

interface Case {
  key: string;
  image: string;
  size: number | [number, number];
  maxSize: number | null;
  interpolation: 'bilinear' | 'bicubic' | 'nearest';
}

// Measured against torchvision 0.14 + Pillow 9.4 (tools/fixtures/gen_transforms.py): exact (0 levels)
// for all 36 cases; the asserted tolerance is 0.
const TOLERANCE = 0;

describe('Resize vs torchvision on PIL', () => {
  for (const mode of ['bilinear', 'bicubic', 'nearest'] as const) {
    const fx = imageFixture(`resize_${mode}`);
    for (const c of fx.meta.cases as Case[]) {
      it(`${c.key} size=${JSON.stringify(c.size)} maxSize=${c.maxSize}`, () => {
        const input = fx.image(`input.${c.image}`);
        const want = fx.image(`out.${c.key}`);
        const got = new Resize(c.size, { interpolation: c.interpolation, maxSize: c.maxSize ?? undefined }).call(input);
        expect([got.height, got.width, got.channels]).toEqual([want.height, want.width, want.channels]);
        expect(maxDiff(got.data, want.data)).toBeLessThanOrEqual(TOLERANCE);
      });
    }
  }
});

describe('resize', () => {
  it('computes torchvision output sizes', () => {
    expect(resizedSize(480, 640, 256)).toEqual([256, 341]);
    expect(resizedSize(640, 480, 256)).toEqual([341, 256]);
    expect(resizedSize(100, 100, [20, 30])).toEqual([20, 30]);
    expect(resizedSize(100, 300, 50, 120)).toEqual([40, 120]);
    expect(() => resizedSize(10, 10, 50, 40)).toThrow(/maxSize/);
  });
  it('rejects bad sizes', () => {
    expect(() => new Resize(0)).toThrow(/positive/);
    expect(() => new Resize([1, 2], { maxSize: 5 })).toThrow(/maxSize/);
  });
  it('keeps a constant image constant with every filter', () => {
    const img = { data: new Uint8Array(13 * 17 * 3).fill(77), width: 17, height: 13, channels: 3 };
    for (const interpolation of ['bilinear', 'bicubic', 'nearest'] as const) {
      for (const antialias of [true, false]) {
        const out = resize(img, [7, 29], { interpolation, antialias });
        expect(out.data.every((v) => v === 77)).toBe(true);
      }
    }
  });
  it('antialias=false bilinear downsampling samples between two pixels only', () => {
    // 8 → 4 columns: each output is the mean of pixels 2k and 2k+1 without antialias,
    // a 4-tap triangle with it.
    const data = Uint8Array.from([0, 200, 0, 200, 0, 200, 0, 200]);
    const img = { data, width: 8, height: 1, channels: 1 };
    expect(Array.from(resampleImage(img, 4, 1, 'bilinear', false).data)).toEqual([100, 100, 100, 100]);
    const aa = resampleImage(img, 4, 1, 'bilinear', true).data;
    expect(aa[1]).toBe(100);
  });
});
