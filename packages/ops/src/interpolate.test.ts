import * as tf from '@tensorflow/tfjs-core';
import { describeBackends, expectClose, loadFixture, maxAbsDiff, tensorGrowth } from '@tfjs-vit/testing';
import { expect, it } from 'vitest';
import { ArgumentError, ShapeError } from './errors';
import { interpolate, interpolateBicubic } from './interpolate';

interface Case { case: number; src: number[]; dst: [number, number]; antialias: boolean; align_corners: boolean; key: string }

const modes = ['nearest', 'bilinear', 'bicubic'] as const;
const fixtures = Object.fromEntries(
  modes.map((m) => [m, loadFixture(new URL(`../fixtures/interpolate_${m}.safetensors`, import.meta.url))]),
);
const posFx = loadFixture(new URL('../fixtures/interpolate_pos_embed.safetensors', import.meta.url));

describeBackends('interpolate', () => {
  for (const mode of modes) {
    const fx = fixtures[mode];
    const cases = JSON.parse(fx.meta.cases) as Case[];
    for (const c of cases) {
      const label = `${mode} ${c.src.join('x')}→${c.dst.join('x')} antialias=${c.antialias} alignCorners=${c.align_corners}`;
      it(`${label} matches PyTorch to 1e-5 (NCHW and NHWC)`, () => {
        tf.tidy(() => {
          const x = fx.tensor(`${c.case}.x`);
          const want = fx.tensor(c.key);
          const opts = { mode, antialias: c.antialias, alignCorners: c.align_corners };
          expectClose(interpolate(x, c.dst, { ...opts, dataFormat: 'NCHW' }), want, 1e-5, label);
          const nhwc = interpolate(tf.transpose(x, [0, 2, 3, 1]), c.dst, opts);
          expectClose(tf.transpose(nhwc, [0, 3, 1, 2]), want, 1e-5, `${label} NHWC`);
        });
      });
    }
  }

  it('antialias changes bicubic upsampling (the fixtures are not all alike)', () => {
    const fx = fixtures.bicubic;
    expect(maxAbsDiff(fx.data('0.aa.noac'), fx.data('0.noaa.noac'))).toBeGreaterThan(1e-3);
  });

  it("resamples a pos-embed grid as timm's resample_abs_pos_embed (14x14 → 24x24, bicubic, antialias)", () => {
    tf.tidy(() => {
      const pos = posFx.tensor('pos'); // [1, 196, C]
      const C = pos.shape[2] as number;
      const grid = interpolateBicubic(tf.reshape(pos, [1, 14, 14, C]), [24, 24], { antialias: true });
      expectClose(tf.reshape(grid, [1, 576, C]), posFx.tensor('out'), 1e-5);
    });
  });

  it('rejects bad inputs with typed errors', () => {
    tf.tidy(() => {
      expect(() => interpolate(tf.zeros([2, 3, 4]), [2, 2])).toThrow(ShapeError);
      expect(() => interpolate(tf.zeros([1, 3, 4, 1]), [0, 2])).toThrow(ArgumentError);
      expect(() => interpolate(tf.zeros([1, 3, 4, 1]), [2, 2], { mode: 'nearest', antialias: true })).toThrow(ArgumentError);
    });
  });

  it('does not leak', () => {
    const x = tf.randomNormal([1, 7, 7, 4]);
    expect(tensorGrowth(() => interpolateBicubic(x, [10, 14], { antialias: true }))).toBe(0);
    x.dispose();
  });
});
