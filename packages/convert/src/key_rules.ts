// Key renaming by ordered regex rules: the shared core of the per-source key mappers
// (torchvision, Hugging Face). A rename never copies a tensor: the same object moves to its new key.
import type * as tf from '@tensorflow/tfjs-core';
import { CheckpointError } from './errors';

/** One rename: the first rule whose pattern matches a key rewrites it (`key.replace(pattern, to)`). */
export type KeyRule = readonly [pattern: RegExp, to: string];

/**
 * The key the first matching rule makes of `key`, or null when no rule matches.
 *
 * @example
 * matchKey('conv_proj.weight', [[/^conv_proj\./, 'patch_embed.proj.']]); // 'patch_embed.proj.weight'
 * matchKey('extra.weight', [[/^conv_proj\./, 'patch_embed.proj.']]); // null
 */
export function matchKey(key: string, rules: readonly KeyRule[]): string | null {
  for (const [pattern, to] of rules) if (pattern.test(key)) return key.replace(pattern, to);
  return null;
}

/**
 * Renames `key` by the first matching rule; a key no rule matches is returned unchanged (so it
 * shows up as unexpected when loaded).
 *
 * @example
 * renameKey('conv_proj.weight', [[/^conv_proj\./, 'patch_embed.proj.']]); // 'patch_embed.proj.weight'
 */
export function renameKey(key: string, rules: readonly KeyRule[]): string {
  return matchKey(key, rules) ?? key;
}

/**
 * A new map with every key renamed by `rules`; the values are the same objects. A key no rule
 * matches keeps its name. When a key would get a name already taken (e.g. `heads.weight` and
 * `heads.head.weight` both → `head.weight`, or a key of that very name), the later one keeps its own
 * name, so nothing is lost (a strict load reports it as unexpected); if its own name is taken too,
 * that is a `CheckpointError` naming both.
 *
 * @example
 * renameKeys(new Map([['heads.head.weight', w]]), [[/^heads\.head\./, 'head.']]).get('head.weight') === w;
 */
export function renameKeys<T = tf.Tensor>(dict: ReadonlyMap<string, T>, rules: readonly KeyRule[]): Map<string, T> {
  const owner = new Map<string, string>(); // new key → the source key that gets it
  // keys no rule matches can only keep their names: they are placed first
  for (const key of dict.keys()) if (matchKey(key, rules) === null) owner.set(key, key);
  for (const key of dict.keys()) {
    const to = matchKey(key, rules);
    if (to === null) continue;
    const name = owner.has(to) ? key : to;
    if (owner.has(name)) {
      throw new CheckpointError('CHECKPOINT_ARCH_MISMATCH', `checkpoint keys ${owner.get(name)} and ${key} both map to ${name}; remove one of them`);
    }
    owner.set(name, key);
  }
  const out = new Map<string, T>();
  const nameOf = new Map([...owner].map(([name, key]) => [key, name]));
  for (const [key, value] of dict) out.set(nameOf.get(key)!, value);
  return out;
}
