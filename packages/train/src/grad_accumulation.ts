// Gradient accumulation: sums the gradients of several micro-batches before one optimizer step.
import * as tf from '@tensorflow/tfjs-core';

/**
 * Sums gradients across micro-batches. Scale each micro-batch's loss by `1 / steps` (as in
 * PyTorch's `(loss / accum).backward()`) so the sum is the gradient of the mean loss.
 *
 * @example
 * ```ts
 * const acc = new GradientAccumulator();
 * for (const b of microBatches) { const { value, grads } = tf.variableGrads(() => tf.div(loss(b), 2), vars); acc.add(grads); tf.dispose([value, grads]); }
 * const grads = acc.take(); opt.step(grads); tf.dispose(grads);
 * ```
 */
export class GradientAccumulator {
  private sums = new Map<string, tf.Tensor>();
  private added = 0;

  /** Adds `grads` (not disposed) to the running sums. */
  add(grads: tf.NamedTensorMap): void {
    for (const [name, g] of Object.entries(grads)) {
      const prev = this.sums.get(name);
      this.sums.set(name, prev ? tf.tidy(() => tf.add(prev, g)) : tf.clone(g));
      prev?.dispose();
    }
    this.added += 1;
  }

  /** How many gradient sets were added since the last `take()`. */
  get count(): number {
    return this.added;
  }

  /** The summed gradients (the caller owns them); the accumulator is empty afterwards. */
  take(): tf.NamedTensorMap {
    const out: tf.NamedTensorMap = Object.fromEntries(this.sums);
    this.sums = new Map();
    this.added = 0;
    return out;
  }

  /** Frees the running sums without returning them. */
  reset(): void {
    tf.dispose([...this.sums.values()]);
    this.sums = new Map();
    this.added = 0;
  }
}
