// Makes tfjs-core's gradient functions available on demand, for code that would rather not import
// the side-effect entry `@tfjs-vit/ops/gradients` (./gradients.ts) itself.
import * as tf from '@tensorflow/tfjs-core';

/** How {@link registerGradients} made the gradients available. */
export type GradientSource = 'already-registered' | 'imported';

let pending: Promise<GradientSource> | undefined;

async function load(): Promise<GradientSource> {
  if (tf.getGradient('Sum') !== undefined) return 'already-registered';
  await import('./gradients');
  if (tf.getGradient('Sum') === undefined) throw new Error('registerGradients: @tfjs-vit/ops/gradients loaded but registered nothing');
  return 'imported';
}

/**
 * Registers tfjs-core's gradient functions once (`tf.grad`, `tf.grads`, optimizers need them), and
 * says how. The same as `import '@tfjs-vit/ops/gradients'`, loaded only when called; works in plain
 * Node and under bundlers. The `@tensorflow/tfjs` umbrella package registers them itself
 * ('already-registered').
 *
 * @example
 * ```ts
 * await registerGradients();
 * const g = tf.grad((x: tf.Tensor) => tf.sum(gelu(x)))(tf.tensor([1, 2]));
 * ```
 */
export function registerGradients(): Promise<GradientSource> {
  pending ??= load().catch((e: unknown) => {
    pending = undefined;
    throw e;
  });
  return pending;
}
