// Softmax and top-k over a batch of logits, on plain arrays (the logits are already off the device).
import { ArgumentError } from '@tfjs-vit/ops';

/** One class of a prediction. */
export interface Prediction {
  /** Class index in the head. */
  index: number;
  /** Its name, when labels are known; else null. */
  label: string | null;
  /** Softmax probability. */
  prob: number;
}

/**
 * Softmax of one row of logits (max-subtracted, accumulated in float64).
 *
 * @example
 * ```ts
 * softmax(Float32Array.of(1, 2, 3)); // Float64Array [0.090, 0.245, 0.665]
 * ```
 */
export function softmax(logits: ArrayLike<number>): Float64Array {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) if (logits[i] > max) max = logits[i];
  const out = new Float64Array(logits.length);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += out[i] = Math.exp(logits[i] - max);
  for (let i = 0; i < out.length; i++) out[i] /= sum;
  return out;
}

/**
 * The `k` most probable classes of one row of probabilities, most probable first (ties: lower
 * index first, as torch.topk on CPU).
 *
 * @example
 * ```ts
 * topK(softmax(logits), 5, IMAGENET_1K_LABELS)[0]; // { index: 281, label: 'tabby, tabby cat', prob: 0.83 }
 * ```
 */
export function topK(probs: ArrayLike<number>, k: number, labels?: readonly string[] | null): Prediction[] {
  if (!(Number.isInteger(k) && k > 0)) throw new ArgumentError(`topk must be a positive integer, got ${k}`);
  const n = Math.min(k, probs.length);
  const best: number[] = [];
  for (let i = 0; i < probs.length; i++) {
    if (best.length === n && probs[i] <= probs[best[n - 1]]) continue;
    let at = best.length;
    while (at > 0 && probs[best[at - 1]] < probs[i]) at--;
    best.splice(at, 0, i);
    if (best.length > n) best.pop();
  }
  return best.map((index) => ({ index, label: labels?.[index] ?? null, prob: probs[index] }));
}
