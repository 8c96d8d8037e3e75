// BatchNorm2d against torch.nn.BatchNorm2d (gen_timm_hybrid.py): training steps with running-stat
// updates (momentum 0.1 and the cumulative momentum=None), gradients, eval.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { ArgumentError, ShapeError } from '@tfjs-vit/ops';
import { describeBackends, expectClose, expectRelClose, maxAbsDiff, tensorGrowth, type Fixture } from '@tfjs-vit/testing';
import { expect, it } from 'vitest';
import { BatchNorm2d } from './batch_norm';
import { fixture, loadParams, nchwToNhwc } from './parity.testutil';

const KEYS = ['weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked'];

function expectState(bn: BatchNorm2d, f: Fixture, prefix: string): void {
  const sd = bn.stateDict();
  for (const k of KEYS) {
    const ref = f.tensor(`${prefix}${k}`);
    if (k === 'num_batches_tracked') expect(Array.from(sd.get(k)!.dataSync())).toEqual(Array.from(ref.dataSync()));
    else expectClose(sd.get(k)!, ref, 1e-5, `${prefix}${k}`);
    ref.dispose();
  }
  tf.dispose([...sd.values()]);
}

describeBackends('BatchNorm2d', (backend) => {
  it('two training steps match torch: outputs, gradients, running stats (unbiased var, momentum 0.1); then eval', () => {
    const f = fixture('batch_norm');
    const bn = new BatchNorm2d(6);
    expect([...bn.stateDict().keys()]).toEqual(KEYS);
    expect(bn.namedParameters().map(([k]) => k)).toEqual(['weight', 'bias']);
    loadParams(bn, f);
    expectState(bn, f, 'param.');
    bn.train();
    tf.tidy(() => {
      const x = tf.variable(nchwToNhwc(f.tensor('in.x0')));
      const probe = nchwToNhwc(f.tensor('probe.train.0'));
      let out: tf.Tensor | null = null;
      const { grads } = tf.variableGrads(() => {
        out = tf.keep(bn.forward(x));
        return tf.sum(tf.mul(out, probe)) as tf.Scalar;
      }, [...bn.trainableVariables(), x]);
      const worst = maxAbsDiff(out!, nchwToNhwc(f.tensor('out.train.0')));
      expectClose(out!, nchwToNhwc(f.tensor('out.train.0')), 1e-4, 'out.train.0');
      expectRelClose(grads[bn.weight!.variable.name], f.tensor('grad.train.0.weight'), 1e-4, 1e-6, 'grad weight');
      expectRelClose(grads[bn.bias!.variable.name], f.tensor('grad.train.0.bias'), 1e-4, 1e-6, 'grad bias');
      expectRelClose(grads[x.name], nchwToNhwc(f.tensor('grad_in.train.0')), 1e-4, 1e-6, 'grad input');
      x.dispose();
      console.log(`[${backend}] BatchNorm2d train step: max |out - torch| = ${worst.toExponential(2)}`);
    });
    // the gradient pass ran the forward once: exactly one update
    expectState(bn, f, 'state.0.');
    tf.tidy(() => expectClose(bn.forward(nchwToNhwc(f.tensor('in.x1'))), nchwToNhwc(f.tensor('out.train.1')), 1e-4, 'out.train.1'));
    expectState(bn, f, 'state.1.');
    bn.eval();
    tf.tidy(() => expectClose(bn.forward(nchwToNhwc(f.tensor('in.eval'))), nchwToNhwc(f.tensor('out.eval')), 1e-4, 'out.eval'));
    expectState(bn, f, 'state.1.'); // eval leaves the stats alone
    bn.dispose();
  });

  it('momentum null is the cumulative average 1/num_batches_tracked, as torch', () => {
    const f = fixture('batch_norm');
    const bn = new BatchNorm2d(6, { momentum: null });
    loadParams(bn, f);
    for (const i of [0, 1]) {
      tf.tidy(() => bn.forward(nchwToNhwc(f.tensor(`in.x${i}`))));
      expectState(bn, f, `cum.${i}.`);
    }
    bn.dispose();
  });

  it('trackRunningStats false: no buffers, batch statistics in eval too; affine false: no parameters', () => {
    tf.tidy(() => {
      const x = tf.randomNormal([3, 4, 4, 5], 2, 3, 'float32', 5);
      const plain = new BatchNorm2d(5, { trackRunningStats: false, affine: false }).eval();
      expect([...plain.stateDict().keys()]).toEqual([]);
      const y = plain.forward(x);
      const { mean, variance } = tf.moments(x, [0, 1, 2]);
      expectClose(y, tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5))), 1e-4);
    });
  });

  it('trains in an optimizer loop: weight/bias learn, buffers only follow the batches', () => {
    const bn = new BatchNorm2d(3);
    expect(bn.trainableVariables()).toEqual([bn.weight!.variable, bn.bias!.variable]);
    const opt = tf.train.sgd(0.1);
    const x = tf.add(tf.mul(tf.randomNormal([4, 3, 3, 3], 0, 1, 'float32', 9), 2), 5);
    const target = tf.fill([4, 3, 3, 3], 0.5);
    const losses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const loss = opt.minimize(() => tf.mean(tf.square(tf.sub(bn.forward(x), target))) as tf.Scalar, true, bn.trainableVariables())!;
      losses.push(loss.dataSync()[0]!);
      loss.dispose();
    }
    expect(losses[4]).toBeLessThan(losses[0]!);
    expect(Array.from(bn.numBatchesTracked!.value.dataSync())).toEqual([5]);
    // 5 steps of momentum 0.1 towards a batch mean of ~5: 5·(1 − 0.9^5) ≈ 2.05
    expect(Math.abs(bn.runningMean!.value.dataSync()[0]! - 5 * (1 - 0.9 ** 5))).toBeLessThan(0.5);
    tf.dispose([x, target]);
    opt.dispose();
    bn.dispose();
  });

  it('typed errors; no leaks in training (stats replaced in place) or eval', () => {
    expect(() => new BatchNorm2d(0)).toThrow(ArgumentError);
    expect(() => new BatchNorm2d(4, { momentum: 1.5 })).toThrow(/momentum must be in \[0, 1\] or null, got 1.5/);
    const bn = new BatchNorm2d(4);
    expect(() => bn.forward(tf.zeros([2, 3, 3, 5]))).toThrow(/expected NHWC input \[B, H, W, 4\], got \[2, 3, 3, 5\]/);
    expect(() => bn.forward(tf.zeros([1, 1, 1, 4]))).toThrow(ShapeError);
    const x = tf.randomNormal([2, 3, 3, 4]);
    expect(tensorGrowth(() => bn.forward(x))).toBe(0);
    expect(Array.from(bn.numBatchesTracked!.value.dataSync())).toEqual([4]); // 1 warm-up + 3 measured calls
    bn.eval();
    expect(tensorGrowth(() => bn.forward(x))).toBe(0);
    x.dispose();
    bn.dispose();
  });
});
