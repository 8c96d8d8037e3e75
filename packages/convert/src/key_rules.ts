// Key renaming by ordered regex rules: the shared core of the per-source key mappers
// (torchvision, Hugging Face). A rename never copies a tensor: the same object moves to its new key.
import type * as tf from '@tensorflow/tfjs-core';

/** One rename: the first rule whose pattern matches a key rewrites it (`key.replace(pattern, to)`). */
export type KeyRule = readonly [pattern: RegExp, to: string];

/**
 * Renames `key` by the first matching rule; a key no rule matches is returned unchanged (so it
 * shows up as unexpected when loaded).
 *
 * @example
 * renameKey('conv_proj.weight', [[/^conv_proj\./, 'patch_embed.proj.']]); // 'patch_embed.proj.weight'
 */
export function renameKey(key: string, rules: readonly KeyRule[]): string {
  for (const [pattern, to] of rules) if (pattern.test(key)) return key.replace(pattern, to);
  return key;
}

/**
 * A new map with every key renamed by `rules`; the tensors are the same objects.
 *
 * @example
 * renameKeys(new Map([['heads.head.weight', w]]), [[/^heads\.head\./, 'head.']]).get('head.weight') === w;
 */
export function renameKeys<T = tf.Tensor>(dict: ReadonlyMap<string, T>, rules: readonly KeyRule[]): Map<string, T> {
  const out = new Map<string, T>();
  for (const [key, value] of dict) out.set(renameKey(key, rules), value);
  return out;
}
