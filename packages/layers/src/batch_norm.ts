// Batch Normalization (Ioffe & Szegedy, 2015) on NHWC feature maps with PyTorch's nn.BatchNorm2d
// parameters, buffers and running-statistics convention; for users' own CNN stems.
import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError, fmtShape, ShapeError } from '@tfjs-vit/ops';
import { Module, type Parameter } from './module';

/** Options of {@link BatchNorm2d}; defaults are PyTorch's. */
export interface BatchNorm2dOptions {
  /** Added to the variance (default 1e-5). */
  eps?: number;
  /**
   * Weight of the new batch in the running statistics: `running = (1 − m)·running + m·batch`
   * (default 0.1; note this is 1 − Keras' momentum). `null`: a cumulative average over all
   * batches seen (`m = 1 / num_batches_tracked`).
   */
  momentum?: number | null;
  /** Learn per-channel `weight` and `bias` (default true). */
  affine?: boolean;
  /**
   * Keep `running_mean`, `running_var` and `num_batches_tracked` buffers and use them in eval
   * mode (default true). false: always normalise by the batch's statistics.
   */
  trackRunningStats?: boolean;
}

/**
 * `torch.nn.BatchNorm2d(numFeatures)` on `[B, H, W, C]`. Training mode normalises by the batch's
 * mean and biased variance over `[B, H, W]` (differentiable through both) and updates the running
 * statistics with the unbiased variance, as PyTorch; eval mode uses the running statistics.
 * State-dict keys: `weight`, `bias` (parameters), `running_mean`, `running_var`,
 * `num_batches_tracked` (buffers: saved and loaded, never trained; the counter is int32 here,
 * int64 in PyTorch).
 *
 * @example
 * ```ts
 * const bn = new BatchNorm2d(64);              // training mode, as PyTorch
 * const y = bn.forward(tf.randomNormal([8, 28, 28, 64]));  // updates running_mean / running_var
 * bn.eval().forward(tf.randomNormal([1, 28, 28, 64]));      // uses them
 * ```
 */
export class BatchNorm2d extends Module {
  readonly numFeatures: number;
  readonly eps: number;
  readonly momentum: number | null;
  readonly weight: Parameter | null;
  readonly bias: Parameter | null;
  readonly runningMean: Parameter | null;
  readonly runningVar: Parameter | null;
  readonly numBatchesTracked: Parameter | null;

  constructor(numFeatures: number, options: BatchNorm2dOptions = {}) {
    super();
    if (!(Number.isInteger(numFeatures) && numFeatures > 0)) throw new ArgumentError(`BatchNorm2d: numFeatures must be a positive integer, got ${numFeatures}`);
    const eps = options.eps ?? 1e-5;
    if (!(eps >= 0)) throw new ArgumentError(`BatchNorm2d: eps must be >= 0, got ${eps}`);
    const momentum = options.momentum === undefined ? 0.1 : options.momentum;
    if (momentum !== null && !(momentum >= 0 && momentum <= 1)) {
      throw new ArgumentError(`BatchNorm2d: momentum must be in [0, 1] or null, got ${momentum}`);
    }
    this.numFeatures = numFeatures;
    this.eps = eps;
    this.momentum = momentum;
    const affine = options.affine ?? true;
    this.weight = affine ? this.registerParameter('weight', tf.ones([numFeatures])) : null;
    this.bias = affine ? this.registerParameter('bias', tf.zeros([numFeatures])) : null;
    const track = options.trackRunningStats ?? true;
    this.runningMean = track ? this.registerBuffer('running_mean', tf.zeros([numFeatures])) : null;
    this.runningVar = track ? this.registerBuffer('running_var', tf.ones([numFeatures])) : null;
    this.numBatchesTracked = track ? this.registerBuffer('num_batches_tracked', tf.scalar(0, 'int32')) : null;
  }

  /** `x [B, H, W, C]` → same shape. In training mode, also updates the running statistics. */
  forward(x: tf.Tensor): tf.Tensor4D {
    if (x.rank !== 4 || x.shape[3] !== this.numFeatures) {
      throw new ShapeError(`BatchNorm2d: expected NHWC input [B, H, W, ${this.numFeatures}], got ${fmtShape(x.shape)}`);
    }
    const useBatch = this.training || !this.runningMean;
    const perChannel = x.shape[0]! * x.shape[1]! * x.shape[2]!;
    if (useBatch && perChannel < 2) {
      throw new ShapeError(`BatchNorm2d: batch statistics need more than 1 value per channel, got input ${fmtShape(x.shape)}`);
    }
    return tf.tidy(() => {
      let mean: tf.Tensor;
      let variance: tf.Tensor;
      if (useBatch) {
        mean = tf.mean(x, [0, 1, 2]);
        variance = tf.mean(tf.square(tf.sub(x, mean)), [0, 1, 2]);
        if (this.training && this.runningMean) this.updateRunningStats(mean, variance, perChannel);
      } else {
        mean = this.runningMean!.value;
        variance = this.runningVar!.value;
      }
      let y = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, this.eps)));
      if (this.weight) y = tf.mul(y, this.weight.value);
      if (this.bias) y = tf.add(y, this.bias.value);
      return y as tf.Tensor4D;
    });
  }

  /** PyTorch's update: counter + 1, then running = (1 − m)·running + m·batch (unbiased variance). */
  private updateRunningStats(mean: tf.Tensor, biasedVar: tf.Tensor, n: number): void {
    const count = this.numBatchesTracked!.variable;
    const rm = this.runningMean!.variable;
    const rv = this.runningVar!.variable;
    tf.tidy(() => {
      // assign() is not recorded by gradient tapes: the update never feeds back into a gradient
      const unbiased = tf.mul(biasedVar, n / (n - 1));
      const next = tf.add(count, tf.scalar(1, 'int32'));
      const m = this.momentum === null ? tf.div(1, tf.cast(next, 'float32')) : tf.scalar(this.momentum);
      const keep = tf.sub(1, m);
      const newMean = tf.add(tf.mul(keep, rm), tf.mul(m, mean));
      const newVar = tf.add(tf.mul(keep, rv), tf.mul(m, unbiased));
      count.assign(next);
      rm.assign(newMean);
      rv.assign(newVar);
    });
  }
}
