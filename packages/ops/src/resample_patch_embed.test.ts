import * as tf from '@tensorflow/tfjs-core';
import { describeBackends, expectClose, loadFixture, maxAbsDiff, tensorGrowth } from '@tfjs-vit/testing';
import { expect, it } from 'vitest';
import { ArgumentError, ShapeError } from './errors';
import { interpolate } from './interpolate';
import { resamplePatchEmbed } from './resample_patch_embed';

interface Case { case: number; old: [number, number]; new: [number, number]; interpolation: 'bicubic' | 'bilinear'; antialias: boolean }

// timm v1.0.28's resample_patch_embed on seeded random kernels (tools/fixtures/gen_resample_patch_embed.py)
const fx = loadFixture(new URL('../fixtures/resample_patch_embed.safetensors', import.meta.url));
const cases = JSON.parse(fx.meta.cases) as Case[];

describeBackends('resamplePatchEmbed', () => {
  for (const c of cases) {
    const label = `${c.old.join('x')}→${c.new.join('x')} ${c.interpolation} antialias=${c.antialias}`;
    it(`${label} matches timm's resample_patch_embed to 1e-4`, () => {
      tf.tidy(() => {
        const x = fx.tensor(`${c.case}.x`);
        const want = fx.tensor(`${c.case}.y`);
        const got = resamplePatchEmbed(x, c.new, { interpolation: c.interpolation, antialias: c.antialias });
        expect(got.shape).toEqual(want.shape);
        expectClose(got, want, 1e-4, label);
        // HWIO (tfjs conv2d's layout) gives the same kernel, transposed
        const hwio = resamplePatchEmbed(tf.transpose(x, [2, 3, 1, 0]), c.new, { interpolation: c.interpolation, antialias: c.antialias, dataFormat: 'HWIO' });
        expectClose(tf.transpose(hwio, [3, 2, 0, 1]), want, 1e-4, `${label} HWIO`);
      });
    });
  }

  it('the methods give different kernels (the fixtures are not all alike)', () => {
    const at = (interpolation: string, antialias: boolean) => cases.find((c) => c.old[0] === 16 && c.new[0] === 8 && c.new[1] === 8 && c.interpolation === interpolation && c.antialias === antialias)!.case;
    expect(maxAbsDiff(fx.data(`${at('bicubic', true)}.y`), fx.data(`${at('bicubic', false)}.y`))).toBeGreaterThan(1e-2);
    expect(maxAbsDiff(fx.data(`${at('bicubic', true)}.y`), fx.data(`${at('bilinear', true)}.y`))).toBeGreaterThan(1e-2);
  });

  it("the new kernel on a resized patch gives the old kernel's response (the PI-resize property, upsampling)", () => {
    tf.tidy(() => {
      const kernel = tf.randomNormal([3, 2, 8, 8], 0, 1, 'float32', 1);
      const patch = tf.randomNormal([1, 2, 8, 8], 0, 1, 'float32', 2);
      const big = interpolate(patch, [12, 12], { mode: 'bicubic', antialias: true, dataFormat: 'NCHW' });
      const k12 = resamplePatchEmbed(kernel, [12, 12]);
      const old = tf.sum(tf.mul(kernel, patch), [1, 2, 3]); // <w, x> per output channel
      const resized = tf.sum(tf.mul(k12, big), [1, 2, 3]); // <w', resize(x)>
      expectClose(resized, old, 1e-4, 'responses');
    });
  });

  it('equal sizes return an equal copy', () => {
    const k = tf.randomNormal([2, 3, 4, 4], 0, 1, 'float32', 3);
    const same = resamplePatchEmbed(k, [4, 4]);
    expect(same).not.toBe(k);
    expectClose(same, k, 0, 'copy');
    tf.dispose([k, same]);
  });

  it('rejects bad input with typed errors that name it', () => {
    const k = tf.zeros([2, 3, 4, 4]);
    expect(() => resamplePatchEmbed(tf.zeros([3, 4, 4]), [2, 2])).toThrow(ShapeError);
    expect(() => resamplePatchEmbed(tf.zeros([3, 4, 4]), [2, 2])).toThrow(/expected rank 4 \(\[out, in, h, w\]\), got \[3, 4, 4\]/);
    expect(() => resamplePatchEmbed(k, [0, 2])).toThrow(ArgumentError);
    expect(() => resamplePatchEmbed(k, [2.5, 2] as [number, number])).toThrow(/newSize must be \[height, width\] of positive integers/);
    expect(() => resamplePatchEmbed(k, [2, 2], { interpolation: 'lanczos' as never })).toThrow(/unknown interpolation 'lanczos'/);
    expect(() => resamplePatchEmbed(k, [2, 2], { interpolation: 'nearest' })).toThrow(/antialias applies to 'bilinear' and 'bicubic' only/);
    expect(() => resamplePatchEmbed(k, [2, 2], { dataFormat: 'NCHW' as never })).toThrow(/unknown dataFormat 'NCHW'/);
    k.dispose();
  });

  it('nearest (no antialias) inverts a nearest resize: 4→8 duplicates, the kernel splits its weights', () => {
    tf.tidy(() => {
      const k = tf.tensor4d([1, 2, 3, 4], [1, 1, 1, 4]);
      const up = resamplePatchEmbed(k, [1, 8], { interpolation: 'nearest', antialias: false });
      expectClose(up, [0.5, 0.5, 1, 1, 1.5, 1.5, 2, 2], 1e-6, 'nearest 1x4 → 1x8');
    });
  });

  it('leaves no tensor behind', () => {
    const k = tf.randomNormal([2, 3, 16, 16]);
    const growth = tensorGrowth(() => resamplePatchEmbed(k, [8, 8]).dispose());
    expect(growth).toBe(0);
    k.dispose();
  });
});
