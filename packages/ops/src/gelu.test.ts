// tfjs-core registers gradient configs only through this ESM side-effect module (not in its Node bundle).
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import * as tf from '@tensorflow/tfjs-core';
import { describeBackends, expectClose, expectRelClose, loadFixture, tensorGrowth } from '@tfjs-vit/testing';
import { expect, it } from 'vitest';
import { _erfComposedForTest, gelu, geluTanh, hasErfKernel } from './gelu';

const fx = loadFixture(new URL('../fixtures/gelu.safetensors', import.meta.url));

describeBackends('gelu', (backend) => {
  it('reports whether the backend has an Erf kernel', () => {
    expect(hasErfKernel(), backend).toBe(true); // cpu and wasm 4.22 both register Erf
  });

  for (const [name, fn] of [['erf', gelu], ['tanh', geluTanh]] as const) {
    it(`${name}: forward matches PyTorch`, () => {
      tf.tidy(() => expectClose(fn(fx.tensor('x')), fx.tensor(`${name}.out`), 1e-5, name));
    });

    it(`${name}: gradient matches PyTorch autograd`, () => {
      tf.tidy(() => {
        const r = fx.tensor(`${name}.r`);
        const g = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(fn(x), r)))(fx.tensor('x'));
        expectRelClose(g, fx.tensor(`${name}.grad.x`), 1e-4, 1e-6, `${name} grad`);
      });
    });

    it(`${name}: does not leak`, () => {
      const x = fx.tensor('x');
      expect(tensorGrowth(() => fn(x))).toBe(0);
      expect(tensorGrowth(() => tf.grad((t: tf.Tensor) => tf.sum(fn(t)))(x))).toBe(0);
      x.dispose();
    });
  }

  it('erf composition (for backends without Erf) is within 1e-6 of the kernel', () => {
    tf.tidy(() => {
      const x = tf.linspace(-6, 6, 241);
      expectClose(_erfComposedForTest(x), tf.erf(x), 1e-6, 'erf');
    });
  });

  it('propagates NaN and saturates at ±inf', () => {
    tf.tidy(() => {
      const y = gelu(tf.tensor([Number.NaN, Number.POSITIVE_INFINITY, -1e4])).dataSync();
      expect(Number.isNaN(y[0])).toBe(true);
      expect(y[1]).toBe(Number.POSITIVE_INFINITY);
      expect(Math.abs(y[2])).toBeLessThan(1e-6);
    });
  });
});
