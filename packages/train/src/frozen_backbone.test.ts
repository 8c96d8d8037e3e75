import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { createViT } from '@tfjs-vit/models';
import { linearProbe } from './freezing';
import { beforeAll, describe, expect, it } from 'vitest';
import { detachBackbone } from './frozen_backbone';

const TINY = { imgSize: 32, patchSize: 8, embedDim: 32, depth: 2, numHeads: 2, mlpRatio: 2, numClasses: 3 };

/** Head gradients of a cross-entropy-like loss, and the tensors alive when the loss is made. */
function headGrads(model: ReturnType<typeof createViT>, x: tf.Tensor) {
  const vars = model.namedParameters().filter(([, p]) => p.trainable).map(([, p]) => p.variable);
  let alive = 0;
  const { value, grads } = tf.variableGrads(() => {
    const loss = tf.mean(tf.square(model.forward(x))) as tf.Scalar;
    alive = tf.memory().numTensors;
    return loss;
  }, vars);
  const out = Object.fromEntries(Object.entries(grads).map(([k, g]) => [k, Array.from(g.dataSync())]));
  tf.dispose([value, ...Object.values(grads)]);
  return { grads: out, alive };
}

describe('detachBackbone', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('gives the head the same gradients while keeping no backbone activations for backprop', () => {
    const model = createViT(TINY);
    linearProbe(model);
    const x = tf.randomNormal([2, 32, 32, 3], 0, 1, 'float32', 1);
    const taped = headGrads(model, x);
    const before = tf.memory().numTensors;
    const restore = detachBackbone(model);
    const detached = headGrads(model, x);
    expect(tf.memory().numTensors).toBe(before); // no leak
    expect(Object.keys(detached.grads).sort()).toEqual(Object.keys(taped.grads).sort());
    for (const k of Object.keys(taped.grads)) expect(detached.grads[k]).toEqual(taped.grads[k]);
    expect(detached.alive).toBeLessThan(taped.alive - 20); // the blocks' saved tensors are gone
    restore();
    expect(headGrads(model, x).alive).toBe(taped.alive);
    tf.dispose(x);
    model.dispose();
  });

  it('refuses a model whose backbone is still trainable', () => {
    const model = createViT(TINY);
    expect(() => detachBackbone(model)).toThrow(/backbone parameters are trainable/);
    model.dispose();
  });
});
