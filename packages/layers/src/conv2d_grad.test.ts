import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { describeBackends, expectClose, expectRelClose, tensorGrowth } from '@tfjs-vit/testing';
import { expect, it } from 'vitest';
import { conv2dDifferentiable, type Pads } from './conv2d_grad';

describeBackends('conv2dDifferentiable', (backend) => {
  const cases: [string, [number, number], Pads][] = [
    ['stride 2, pad 1', [2, 2], [1, 1, 1, 1]],
    ['stride 1, asymmetric pad', [1, 1], [1, 2, 0, 1]],
    ['stride (3, 2), uneven tail', [3, 2], [0, 0, 0, 0]],
  ];
  for (const [name, stride, pads] of cases) {
    it(`composite gradient equals the cpu built-in gradient (${name})`, async () => {
      const x = tf.randomNormal([2, 9, 8, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
      const w = tf.randomNormal([3, 3, 3, 4], 0, 1, 'float32', 2) as tf.Tensor4D;
      const probeShape = tf.tidy(() => conv2dDifferentiable(x, w, stride, pads, true).shape);
      const probe = tf.randomNormal(probeShape, 0, 1, 'float32', 3);
      const loss = (force: boolean) => (a: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.mul(conv2dDifferentiable(a as tf.Tensor4D, b as tf.Tensor4D, stride, pads, force), probe));
      const [gx, gw] = tf.grads(loss(true))([x, w]);
      // reference: the cpu backend's own Conv2DBackpropFilter/Input
      const data = await Promise.all([x, w, probe, gx, gw].map((t) => t.array()));
      await tf.setBackend('cpu');
      const [rx, rw] = tf.tidy(() => {
        const [xc, wc, pc] = [tf.tensor(data[0] as number[][][][]), tf.tensor(data[1] as number[][][][]), tf.tensor(data[2] as number[][][][])];
        const f = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(conv2dDifferentiable(a as tf.Tensor4D, b as tf.Tensor4D, stride, pads), pc));
        return tf.grads(f)([xc, wc]);
      });
      expectRelClose(tf.tensor(data[3] as number[][][][]), rx, 1e-5, 1e-6, 'dx');
      expectRelClose(tf.tensor(data[4] as number[][][][]), rw, 1e-5, 1e-6, 'dw');
      await tf.setBackend(backend);
      tf.dispose([x, w, probe, gx, gw]);
    });
  }

  it('forward equals tf.conv2d and does not leak', () => {
    const x = tf.randomNormal([1, 7, 7, 2]) as tf.Tensor4D;
    const w = tf.randomNormal([3, 3, 2, 5]) as tf.Tensor4D;
    const a = conv2dDifferentiable(x, w, [2, 2], [1, 1, 1, 1], true);
    const b = tf.conv2d(x, w, 2, [[0, 0], [1, 1], [1, 1], [0, 0]]);
    expectClose(a, b, 1e-5);
    expect(tensorGrowth(() => tf.grads((t: tf.Tensor) => tf.sum(conv2dDifferentiable(t as tf.Tensor4D, w, [2, 2], [1, 1, 1, 1], true)))([x]))).toBe(0);
    tf.dispose([x, w, a, b]);
  });
});
