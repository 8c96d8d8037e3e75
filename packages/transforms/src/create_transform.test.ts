import * as tf from '@tensorflow/tfjs-core';
import { describeBackends, tensorGrowth } from '@tfjs-vit/testing';
import { expect, it } from 'vitest';
import { createTransform } from './create_transform';
import type { FloatImage } from './image';
import { RandAugment } from './rand_augment';
import { RandomResizedCrop } from './random_resized_crop';
import { imageFixture, maxDiff } from './test_fixtures';

const fx = imageFixture('pipeline');
interface Case {
  key: string; image: string; inputSize: number; cropPct: number;
  interpolation: 'bilinear' | 'bicubic'; mean: number[]; std: number[];
}

// Measured vs timm's eval pipeline written with torchvision (PIL): pixel path bit-exact (0),
// tensor path ≤ 1 float32 ulp; asserted ≤ 1e-6.
describeBackends('createTransform eval vs timm/torchvision', () => {
  for (const c of fx.meta.cases as Case[]) {
    it(c.key, () => {
      const t = createTransform({ inputSize: c.inputSize, cropPct: c.cropPct, interpolation: c.interpolation, mean: c.mean, std: c.std });
      const input = fx.image(`input.${c.image}`);
      const want = fx.floatImage(c.key);
      const raw = t.apply(input) as FloatImage;
      expect(maxDiff(raw.data, want.data)).toBe(0);
      const y = t.call(input) as tf.Tensor3D;
      expect(y.shape).toEqual([c.inputSize, c.inputSize, 3]);
      expect(maxDiff(y.dataSync(), want.data)).toBeLessThanOrEqual(1e-6);
      y.dispose();
      expect(tensorGrowth(() => t.call(input) as tf.Tensor)).toBe(0);
    });
  }
  it('train pipeline: RandomResizedCrop → flip → tensor → normalize, seeded', () => {
    const input = fx.image('input.a');
    const a = createTransform({ isTraining: true, inputSize: 16, seed: 3, scale: [0.5, 1] });
    const b = createTransform({ isTraining: true, inputSize: 16, seed: 3, scale: [0.5, 1] });
    expect(a.transforms.map((t) => t.constructor.name)).toEqual(['RandomResizedCrop', 'RandomHorizontalFlip', 'ToTensor', 'Normalize']);
    expect((a.transforms[0] as RandomResizedCrop).scale).toEqual([0.5, 1]);
    const ya = a.apply(input) as FloatImage;
    expect([ya.height, ya.width, ya.channels]).toEqual([16, 16, 3]);
    expect(maxDiff(ya.data, (b.apply(input) as FloatImage).data)).toBe(0);
  });
  it('adds RandAugment with timm’s mean fill when autoAugment is set', () => {
    const t = createTransform({ isTraining: true, inputSize: 16, autoAugment: 'rand-m9-mstd0.5', seed: 0 });
    expect(t.transforms.map((s) => s.constructor.name)).toEqual(['RandomResizedCrop', 'RandomHorizontalFlip', 'RandAugment', 'ToTensor', 'Normalize']);
    expect((t.transforms[2] as RandAugment).options.fill).toEqual([124, 116, 104]);
    expect((t.apply(fx.image('input.a')) as FloatImage).data.length).toBe(16 * 16 * 3);
  });
  it('accepts timm input_size [3, h, w] and rejects bad cropPct', () => {
    const t = createTransform({ inputSize: [3, 20, 24] });
    const y = t.apply(fx.image('input.b')) as FloatImage;
    expect([y.height, y.width]).toEqual([20, 24]);
    expect(() => createTransform({ inputSize: 8, cropPct: 1.5 })).toThrow(/cropPct/);
  });
});

// timm 1.0.28's own create_transform (tools/fixtures/gen_pipeline.py) in each crop mode, square and
// not: the pixel path must be exact.
const modes = imageFixture('crop_modes');
interface ModeCase {
  key: string; image: string; cropMode: 'center' | 'squash' | 'border'; inputSize: [number, number]; cropPct: number;
  interpolation: 'bilinear' | 'bicubic'; mean: number[]; std: number[];
}
describeBackends('createTransform crop modes vs timm 1.0.28', () => {
  for (const c of modes.meta.cases as ModeCase[]) {
    it(`${c.key} (${c.interpolation}, crop ${c.cropPct})`, () => {
      const t = createTransform({ inputSize: c.inputSize, cropPct: c.cropPct, cropMode: c.cropMode, interpolation: c.interpolation, mean: c.mean, std: c.std });
      const want = modes.floatImage(c.key);
      const got = t.apply(modes.image(`input.${c.image}`)) as FloatImage;
      expect([got.height, got.width]).toEqual(c.inputSize);
      expect(maxDiff(got.data, want.data)).toBe(0);
    });
  }
  it('rejects an unknown crop mode', () => {
    expect(() => createTransform({ inputSize: 8, cropMode: 'fit' as never })).toThrow(/cropMode must be one of center, squash, border/);
  });
});
