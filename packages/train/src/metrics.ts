// Classification metrics: top-k accuracy, confusion matrix, per-class accuracy.
import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError, assertRank, fmtShape, ShapeError } from '@tfjs-vit/ops';

function checkPair(logits: tf.Tensor, labels: tf.Tensor): void {
  assertRank('logits', logits.shape, 2);
  if (labels.rank !== 1 || labels.shape[0] !== logits.shape[0]) {
    throw new ShapeError(`labels: expected ${fmtShape([logits.shape[0]])} class indices, got ${fmtShape(labels.shape)}`);
  }
}

/**
 * How many rows have their label among the `k` largest logits (ties broken as `tf.topk`). Returns
 * a count, so batches can be summed; divide by the number of rows for the accuracy.
 *
 * @example
 * ```ts
 * topKCorrect(tf.tensor2d([[0.1, 0.9], [0.8, 0.2]]), tf.tensor1d([1, 1], 'int32'), 1); // 1
 * ```
 */
export function topKCorrect(logits: tf.Tensor, labels: tf.Tensor, k = 1): number {
  checkPair(logits, labels);
  if (!(k >= 1)) throw new ArgumentError(`k: expected ≥ 1, got ${k}`);
  const kk = Math.min(k, logits.shape[1]!);
  const hit = tf.tidy(() => {
    const { indices } = tf.topk(logits, kk);
    const match = tf.equal(indices, tf.expandDims(tf.cast(labels, 'int32'), 1));
    return tf.sum(tf.cast(tf.any(match, 1), 'int32'));
  });
  const n = hit.dataSync()[0];
  hit.dispose();
  return n;
}

/**
 * Top-k accuracy of one batch, in [0, 1].
 *
 * @example
 * ```ts
 * topKAccuracy(logits, labels, 5);
 * ```
 */
export function topKAccuracy(logits: tf.Tensor, labels: tf.Tensor, k = 1): number {
  return topKCorrect(logits, labels, k) / logits.shape[0];
}

/**
 * An accumulating confusion matrix: rows are true classes, columns predicted classes (argmax).
 *
 * @example
 * ```ts
 * const cm = new ConfusionMatrix(10);
 * cm.update(logits, labels);
 * cm.accuracy(); cm.perClassAccuracy(); cm.matrix[3][5];
 * ```
 */
export class ConfusionMatrix {
  readonly numClasses: number;
  /** counts[true * numClasses + predicted] */
  readonly counts: Int32Array;

  constructor(numClasses: number) {
    if (!(Number.isInteger(numClasses) && numClasses > 0)) throw new ArgumentError(`numClasses: expected a positive integer, got ${numClasses}`);
    this.numClasses = numClasses;
    this.counts = new Int32Array(numClasses * numClasses);
  }

  /** Adds a batch of logits `[B, C]` and labels `[B]`. */
  update(logits: tf.Tensor, labels: tf.Tensor): void {
    checkPair(logits, labels);
    if (logits.shape[1] !== this.numClasses) throw new ShapeError(`logits: expected ${this.numClasses} classes, got ${fmtShape(logits.shape)}`);
    const pred = tf.tidy(() => tf.argMax(logits, 1));
    this.add(labels.dataSync(), pred.dataSync());
    pred.dispose();
  }

  /** Adds true and predicted class indices. */
  add(truth: ArrayLike<number>, predicted: ArrayLike<number>): void {
    const C = this.numClasses;
    for (let i = 0; i < truth.length; i++) {
      const t = truth[i];
      const p = predicted[i];
      if (!(t >= 0 && t < C && p >= 0 && p < C)) throw new ArgumentError(`class index out of range [0, ${C}): true ${t}, predicted ${p}`);
      this.counts[t * C + p] += 1;
    }
  }

  /** The matrix as rows (true class) of columns (predicted class). */
  get matrix(): number[][] {
    const C = this.numClasses;
    return Array.from({ length: C }, (_, r) => Array.from(this.counts.subarray(r * C, (r + 1) * C)));
  }

  /** Samples seen. */
  get total(): number {
    return this.counts.reduce((a, b) => a + b, 0);
  }

  /** Overall top-1 accuracy (0 when empty). */
  accuracy(): number {
    let hit = 0;
    for (let c = 0; c < this.numClasses; c++) hit += this.counts[c * this.numClasses + c];
    return this.total ? hit / this.total : 0;
  }

  /** Accuracy per true class; NaN for a class with no samples. */
  perClassAccuracy(): number[] {
    const C = this.numClasses;
    return Array.from({ length: C }, (_, c) => {
      let support = 0;
      for (let p = 0; p < C; p++) support += this.counts[c * C + p];
      return support ? this.counts[c * C + c] / support : Number.NaN;
    });
  }
}
