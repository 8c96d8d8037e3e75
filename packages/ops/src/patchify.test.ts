import '@tensorflow/tfjs-core/dist/register_all_gradients';
import * as tf from '@tensorflow/tfjs-core';
import { describeBackends, expectClose, expectRelClose, loadFixture, tensorGrowth } from '@tfjs-vit/testing';
import { expect, it } from 'vitest';
import { ShapeError } from './errors';
import { patchify, unpatchify } from './patchify';

const fx = loadFixture(new URL('../fixtures/patchify.safetensors', import.meta.url));
const P = Number(fx.meta.patch);

describeBackends('patchify', () => {
  it("'chw' order equals torch nn.Unfold (square and non-square patches)", () => {
    tf.tidy(() => {
      expectClose(patchify(fx.tensor('x'), P, { order: 'chw' }), fx.tensor('out_chw'), 0);
      expectClose(patchify(fx.tensor('x'), [2, 3], { order: 'chw' }), fx.tensor('out_rect_chw'), 0);
    });
  });

  it("'hwc' order times the HWIO-flattened kernel equals the strided conv patch embedding", () => {
    tf.tidy(() => {
      const tokens = patchify(fx.tensor('x'), P);
      const [B, L, K] = tokens.shape;
      const out = tf.reshape(tf.matMul(tf.reshape(tokens, [B * L, K]), fx.tensor('w_hwio')), [B, L, -1]);
      expectClose(out, fx.tensor('conv_out'), 1e-4);
    });
  });

  it('gradient matches PyTorch autograd of Unfold', () => {
    tf.tidy(() => {
      const r = fx.tensor('r');
      const g = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(patchify(x, P, { order: 'chw' }), r)))(fx.tensor('x'));
      expectRelClose(g, fx.tensor('grad.x'), 1e-4, 1e-6);
    });
  });

  for (const order of ['hwc', 'chw'] as const) {
    it(`unpatchify inverts patchify (${order}, non-square grid and patch)`, () => {
      tf.tidy(() => {
        const x = fx.tensor('x'); // [2, 8, 12, 3]
        const tokens = patchify(x, [4, 3], { order });
        expect(tokens.shape).toEqual([2, 8, 36]);
        expectClose(unpatchify(tokens, [2, 4], [4, 3], 3, { order }), x, 0);
      });
    });
  }

  it('rejects sizes not divisible by the patch, quoting the shape', () => {
    tf.tidy(() => {
      expect(() => patchify(tf.zeros([1, 10, 12, 3]), 4)).toThrow(ShapeError);
      expect(() => patchify(tf.zeros([1, 10, 12, 3]), 4)).toThrow('[1, 10, 12, 3]');
      expect(() => unpatchify(tf.zeros([1, 5, 48]), [2, 2], 4, 3)).toThrow('got [1, 5, 48]');
    });
  });

  it('does not leak', () => {
    const x = fx.tensor('x');
    expect(tensorGrowth(() => patchify(x, 4))).toBe(0);
    const t = patchify(x, 4);
    expect(tensorGrowth(() => unpatchify(t, [2, 3], 4, 3))).toBe(0);
    tf.dispose([x, t]);
  });
});
