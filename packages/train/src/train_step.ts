// One forward/backward pass: the loss, its gradients for the given variables, and the logits.
import * as tf from '@tensorflow/tfjs-core';
import '@tfjs-vit/ops/gradients';
import { installLeanBackprop } from '@tfjs-vit/ops';
import type { LossFn } from './cross_entropy';
import type { TrainableModel } from './types';

/** The result of `lossAndGradients`; the caller disposes `loss`, `grads` and `logits`. */
export interface StepResult {
  loss: tf.Scalar;
  grads: tf.NamedTensorMap;
  logits: tf.Tensor;
}

/**
 * Runs `model.forward(images)`, the loss against `labels` (multiplied by `scale`, e.g. 1/accumSteps),
 * and the gradients for `variables` (keyed by `variable.name`, as optimizers take them). Frozen
 * variables must not be passed: they get no gradient. The returned `loss` is the unscaled loss.
 * The backward pass frees each gradient and saved activation once used (ops' `installLeanBackprop`).
 *
 * @example
 * ```ts
 * const { loss, grads, logits } = lossAndGradients(model, crossEntropyLoss(), x, y, opt.variables());
 * opt.step(grads); tf.dispose([loss, logits, grads]);
 * ```
 */
export function lossAndGradients(
  model: TrainableModel,
  loss: LossFn,
  images: tf.Tensor,
  labels: tf.Tensor,
  variables: tf.Variable[],
  scale = 1,
): StepResult {
  installLeanBackprop();
  let logits: tf.Tensor | undefined;
  let raw: tf.Scalar | undefined;
  const { value, grads } = tf.variableGrads(() => {
    logits = tf.keep(model.forward(images));
    raw = tf.keep(loss(logits, labels));
    return scale === 1 ? raw : tf.mul(raw, scale);
  }, variables);
  if (value !== raw) value.dispose(); // the scaled copy; `raw` is returned
  return { loss: raw!, grads, logits: logits! };
}
