// Makes tfjs-core's gradient functions available, in bundlers and in plain Node alike.
// tfjs-core ships them only as the ESM side-effect module dist/register_all_gradients.js, whose
// extensionless relative imports Node's ESM loader cannot resolve; its Node bundle has none.
import * as tf from '@tensorflow/tfjs-core';
import { importNode } from './node_import';

/** How {@link registerGradients} made the gradients available. */
export type GradientSource = 'already-registered' | 'imported' | 'imported-with-node-resolve-hook';

/**
 * Source of a Node module-resolution hook: inside tfjs-core's dist/, retries an unresolvable relative
 * specifier with `.js`, then `/index.js` (what bundlers do). Exposed for tests.
 */
export const TFJS_CORE_RESOLVE_HOOK = `
export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, context);
  } catch (e) {
    const inCore = specifier.startsWith('.') && (context.parentURL || '').includes('/@tensorflow/tfjs-core/dist/');
    if (!inCore || (e.code !== 'ERR_MODULE_NOT_FOUND' && e.code !== 'ERR_UNSUPPORTED_DIR_IMPORT')) throw e;
    try { return await next(specifier + '.js', context); } catch { return next(specifier + '/index.js', context); }
  }
}`;

const SPEC = '@tensorflow/tfjs-core/dist/register_all_gradients';
let pending: Promise<GradientSource> | undefined;

async function load(): Promise<GradientSource> {
  if (tf.getGradient('Sum') !== undefined) return 'already-registered';
  try {
    await import('@tensorflow/tfjs-core/dist/register_all_gradients');
    if (tf.getGradient('Sum') !== undefined) return 'imported';
  } catch {
    // Plain Node: fall through to the resolve hook.
  }
  const nodeModule = (await importNode('node:module').catch(() => undefined)) as
    | { register?: (url: string) => void }
    | undefined;
  if (!nodeModule?.register) {
    throw new Error(`registerGradients: cannot import ${SPEC} here, and node:module.register (Node >= 20.6) is unavailable`);
  }
  nodeModule.register(`data:text/javascript,${encodeURIComponent(TFJS_CORE_RESOLVE_HOOK)}`);
  await import(/* @vite-ignore */ `${SPEC}.js`);
  if (tf.getGradient('Sum') === undefined) throw new Error(`registerGradients: ${SPEC} loaded but registered nothing`);
  return 'imported-with-node-resolve-hook';
}

/**
 * Registers tfjs-core's gradient functions once (`tf.grad`, `tf.grads`, optimizers need them), and
 * says how. Under a bundler or vite a plain import suffices; in plain Node it installs a small
 * resolve hook (Node >= 20.6) for tfjs-core's ESM files. The `@tensorflow/tfjs` umbrella package
 * registers them itself ('already-registered').
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
