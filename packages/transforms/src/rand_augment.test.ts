import { describe, expect, it } from 'vitest';
import { RandAugment, applyAugmentOp, parseRandAugmentConfig, RAND_INCREASING_TRANSFORMS } from './rand_augment';
import { imageFixture, maxDiff } from './test_fixtures';

const fx = imageFixture('rand_augment_ops');
interface Case { key: string; op: string; m: number; negate: boolean; resample: 'bilinear' | 'bicubic'; image: string }
const fill = fx.meta.fill as number[];

// Measured vs timm's ops on Pillow 9.4 (tools/fixtures/gen_transforms.py): every case is bit-exact
// (max uint8 diff 0), including rotate/shear/translate with bilinear and bicubic; asserted 0.

describe('RandAugment ops vs timm on PIL', () => {
  for (const c of fx.meta.cases as Case[]) {
    it(c.key, () => {
      const got = applyAugmentOp(fx.image(`input.${c.image}`), c.op, c.m, { negate: c.negate, resample: c.resample, fill });
      const want = fx.image(c.key);
      expect(maxDiff(got.data, want.data)).toBe(0);
    });
  }
});

describe('RandAugment', () => {
  it('parses timm config strings', () => {
    expect(parseRandAugmentConfig('rand-m9-mstd0.5')).toMatchObject({ magnitude: 9, magnitudeStd: 0.5, numLayers: 2, magnitudeMax: 10 });
    const p = parseRandAugmentConfig('rand-m7-n3-mstd101-mmax15-inc1');
    expect(p).toMatchObject({ magnitude: 7, numLayers: 3, magnitudeStd: Infinity, magnitudeMax: 15 });
    expect(p.names).toBe(RAND_INCREASING_TRANSFORMS);
    expect(() => parseRandAugmentConfig('augmix-m3')).toThrow(/start with 'rand'/);
    expect(() => parseRandAugmentConfig('rand-q3')).toThrow(/unknown config section/);
  });
  it('is seeded, keeps the size, and changes images', () => {
    const img = fx.image('input.img');
    const a = new RandAugment({ seed: 1 });
    const b = new RandAugment({ seed: 1 });
    let changed = 0;
    for (let i = 0; i < 20; i++) {
      const x = a.call(img);
      const y = b.call(img);
      expect([x.height, x.width, x.channels]).toEqual([img.height, img.width, 3]);
      expect(maxDiff(x.data, y.data)).toBe(0);
      if (maxDiff(x.data, img.data) > 0) changed++;
    }
    // Two ops at p = 0.5 each: ~75% of images change (a few ops can be no-ops at m≈0).
    expect(changed).toBeGreaterThan(8);
    expect(changed).toBeLessThan(20);
  });
});
