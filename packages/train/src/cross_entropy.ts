// Classification losses: cross-entropy with label smoothing (torch's F.cross_entropy) and the
// soft-target cross-entropy timm uses with Mixup / CutMix (timm.loss.SoftTargetCrossEntropy).
import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError, assertRank, fmtShape, ShapeError } from '@tfjs-vit/ops';

/** A loss the trainer calls: logits `[B, C]` and labels (`[B]` indices or `[B, C]` targets) → scalar. */
export type LossFn = (logits: tf.Tensor, labels: tf.Tensor) => tf.Scalar;

/**
 * Mean cross-entropy of `logits` `[B, C]` against class indices `labels` `[B]`, with label
 * smoothing ε as torch: `(1 − ε)·nll + ε·mean_c(−log p_c)`. Soft targets `[B, C]` are accepted
 * too (then this is `softTargetCrossEntropy` of the smoothed targets).
 *
 * @example
 * ```ts
 * const loss = crossEntropy(tf.tensor2d([[2, 0, -1]]), tf.tensor1d([0], 'int32'), { labelSmoothing: 0.1 });
 * ```
 */
export function crossEntropy(logits: tf.Tensor, labels: tf.Tensor, options: { labelSmoothing?: number } = {}): tf.Scalar {
  const eps = options.labelSmoothing ?? 0;
  if (!(eps >= 0 && eps <= 1)) throw new ArgumentError(`labelSmoothing: expected a value in [0, 1], got ${eps}`);
  assertRank('logits', logits.shape, 2);
  const [B, C] = logits.shape;
  if (labels.rank === 2) {
    if (labels.shape[0] !== B || labels.shape[1] !== C) throw new ShapeError(`labels: expected ${fmtShape([B, C])}, got ${fmtShape(labels.shape)}`);
    return tf.tidy(() => softTargetCrossEntropy(logits, eps > 0 ? tf.add(tf.mul(labels, 1 - eps), eps / C) : labels));
  }
  if (labels.rank !== 1 || labels.shape[0] !== B) throw new ShapeError(`labels: expected ${fmtShape([B])} class indices, got ${fmtShape(labels.shape)}`);
  return tf.tidy(() => {
    const logp = tf.logSoftmax(logits, -1);
    const onehot = tf.oneHot(tf.cast(labels, 'int32'), C);
    const nll = tf.neg(tf.sum(tf.mul(onehot, logp), -1));
    if (eps === 0) return tf.mean(nll) as tf.Scalar;
    const smooth = tf.neg(tf.mean(logp, -1));
    return tf.mean(tf.add(tf.mul(nll, 1 - eps), tf.mul(smooth, eps))) as tf.Scalar;
  });
}

/**
 * timm's `SoftTargetCrossEntropy`: `mean_b Σ_c −target·log_softmax(logits)`, for Mixup/CutMix targets.
 *
 * @example
 * ```ts
 * const loss = softTargetCrossEntropy(logits, tf.tensor2d([[0.7, 0.3, 0]]));
 * ```
 */
export function softTargetCrossEntropy(logits: tf.Tensor, target: tf.Tensor): tf.Scalar {
  assertRank('logits', logits.shape, 2);
  if (target.rank !== 2 || target.shape[0] !== logits.shape[0] || target.shape[1] !== logits.shape[1]) {
    throw new ShapeError(`target: expected ${fmtShape(logits.shape)}, got ${fmtShape(target.shape)}`);
  }
  return tf.tidy(() => tf.mean(tf.sum(tf.mul(tf.neg(target), tf.logSoftmax(logits, -1)), -1)) as tf.Scalar);
}

/**
 * The module form: a `LossFn` with fixed label smoothing, what `Trainer({loss})` takes.
 *
 * @example
 * ```ts
 * new Trainer({ model, optimizer, loss: crossEntropyLoss({ labelSmoothing: 0.1 }), train });
 * ```
 */
export function crossEntropyLoss(options: { labelSmoothing?: number } = {}): LossFn {
  return (logits, labels) => crossEntropy(logits, labels, options);
}
