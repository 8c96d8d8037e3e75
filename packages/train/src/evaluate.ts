// Evaluation and prediction over batch sources, in eval mode (the previous mode is restored).
import * as tf from '@tensorflow/tfjs-core';
import { iterateBatches, ownsBatches } from './batch_source';
import type { LossFn } from './cross_entropy';
import { ConfusionMatrix, topKCorrect } from './metrics';
import type { BatchSource, TrainableModel } from './types';

/** What `evaluate` returns. */
export interface EvalResult {
  /** Mean loss over samples. */
  loss: number;
  top1: number;
  top5: number;
  count: number;
  confusion: ConfusionMatrix;
  perClassAccuracy: number[];
}

async function inEvalMode<T>(model: TrainableModel, fn: () => Promise<T>): Promise<T> {
  const was = model.training;
  model.eval();
  try {
    return await fn();
  } finally {
    model.train(was);
  }
}

/**
 * Loss, top-1/top-5 accuracy and confusion matrix of `model` on every batch of `source`.
 *
 * @example
 * ```ts
 * const { top1, confusion } = await evaluateModel(model, testLoader, crossEntropyLoss());
 * ```
 */
export async function evaluateModel(model: TrainableModel, source: BatchSource, loss: LossFn): Promise<EvalResult> {
  const owns = ownsBatches(source);
  return inEvalMode(model, async () => {
    let lossSum = 0;
    let top1 = 0;
    let top5 = 0;
    let count = 0;
    let cm: ConfusionMatrix | undefined;
    for await (const batch of iterateBatches(source)) {
      try {
        const logits = tf.tidy(() => model.forward(batch.images));
        const truth = tf.tidy(() => (batch.labels.rank === 2 ? tf.cast(tf.argMax(batch.labels, 1), 'int32') : tf.cast(batch.labels, 'int32')));
        const l = tf.tidy(() => loss(logits, batch.labels));
        const n = logits.shape[0];
        lossSum += (await l.data())[0] * n;
        top1 += topKCorrect(logits, truth, 1);
        top5 += topKCorrect(logits, truth, 5);
        cm ??= new ConfusionMatrix(logits.shape[1]!);
        cm.update(logits, truth);
        count += n;
        tf.dispose([logits, truth, l]);
      } finally {
        if (owns) tf.dispose([batch.images, batch.labels]);
      }
    }
    const confusion = cm ?? new ConfusionMatrix(1);
    return { loss: lossSum / Math.max(1, count), top1: top1 / Math.max(1, count), top5: top5 / Math.max(1, count), count, confusion, perClassAccuracy: confusion.perClassAccuracy() };
  });
}

/**
 * Logits of `model` in eval mode: for one tensor of images, or for every batch of a source
 * (concatenated along the batch axis). The caller disposes the result.
 *
 * @example
 * ```ts
 * const probs = tf.softmax(await predictModel(model, images));
 * ```
 */
export async function predictModel(model: TrainableModel, input: tf.Tensor | BatchSource): Promise<tf.Tensor> {
  return inEvalMode(model, async () => {
    if (input instanceof tf.Tensor) return tf.tidy(() => model.forward(input));
    const owns = ownsBatches(input);
    const parts: tf.Tensor[] = [];
    for await (const batch of iterateBatches(input)) {
      parts.push(tf.tidy(() => model.forward(batch.images)));
      if (owns) tf.dispose([batch.images, batch.labels]);
    }
    const out = parts.length === 1 ? parts[0] : tf.concat(parts, 0);
    if (parts.length !== 1) tf.dispose(parts);
    return out;
  });
}
