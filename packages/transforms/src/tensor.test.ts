import * as tf from '@tensorflow/tfjs-core';
import { describeBackends, tensorGrowth } from '@tfjs-vit/testing';
import { expect, it } from 'vitest';
import { Compose } from './compose';
import { IMAGENET_DEFAULT_MEAN, IMAGENET_DEFAULT_STD, Normalize, normalizeFloatImage } from './normalize';
import { imageFixture, maxDiff } from './test_fixtures';
import { ToTensor, toFloatImage } from './to_tensor';

const fx = imageFixture('tensor');
const img = fx.image('input');

// Measured vs torchvision's to_tensor/normalize (float32): the pixel path is bit-exact (0); the
// tensor path differs by at most a float32 ulp or two; asserted ≤ 1e-6.
describeBackends('ToTensor + Normalize vs torchvision', () => {
  it('pixel path is exact', () => {
    const f = toFloatImage(img);
    expect(maxDiff(f.data, fx.floatImage('to_tensor').data)).toBe(0);
    const n = normalizeFloatImage(f, IMAGENET_DEFAULT_MEAN, IMAGENET_DEFAULT_STD);
    expect(maxDiff(n.data, fx.floatImage('normalized').data)).toBe(0);
  });
  it('tensor path is HWC float32 and matches', () => {
    const pipe = new Compose([new ToTensor(), new Normalize(IMAGENET_DEFAULT_MEAN, IMAGENET_DEFAULT_STD)]);
    const y = pipe.call(img) as tf.Tensor3D;
    expect(y.shape).toEqual([img.height, img.width, 3]);
    expect(y.dtype).toBe('float32');
    expect(maxDiff(y.dataSync(), fx.floatImage('normalized').data)).toBeLessThanOrEqual(1e-6);
    y.dispose();
  });
  it('does not leak tensors', () => {
    const pipe = new Compose([new ToTensor(), new Normalize(IMAGENET_DEFAULT_MEAN, IMAGENET_DEFAULT_STD)]);
    expect(tensorGrowth(() => pipe.call(img) as tf.Tensor)).toBe(0);
  });
  it('rejects mismatched channels', () => {
    expect(() => new Normalize([0.5], [0.5, 0.5])).toThrow(/mean has 1/);
    const x = tf.zeros([2, 2, 3]) as tf.Tensor3D;
    expect(() => new Normalize([0.5], [0.5]).call(x)).toThrow(/expected 1 channels, got 3/);
    x.dispose();
  });
});
