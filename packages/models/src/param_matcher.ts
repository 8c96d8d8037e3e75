// Selecting parameters by name for freeze / unfreeze: globs, module prefixes, RegExps or predicates.

/**
 * Which parameters to select, by state-dict key:
 * - a string: a glob (`*` any run, `?` one character) matched against the whole key, or, when it
 *   has no wildcard, the key itself or any key under that module path (`'blocks.3'` selects
 *   `blocks.3.attn.qkv.weight`, not `blocks.30…`);
 * - a RegExp, tested against the key;
 * - a predicate on the key;
 * - an array of any of these (a key is selected if any one selects it).
 */
export type ParamMatcher = string | RegExp | ((name: string) => boolean) | readonly ParamMatcher[];

/**
 * A predicate for a `ParamMatcher`.
 *
 * @example
 * ```ts
 * const m = compileMatcher(['patch_embed', 'cls_token', 'blocks.1*']);
 * m('blocks.10.mlp.fc1.weight'); // true
 * ```
 */
export function compileMatcher(matcher: ParamMatcher): (name: string) => boolean {
  if (typeof matcher === 'function') return matcher;
  if (matcher instanceof RegExp) return (name) => matcher.test(name);
  if (typeof matcher === 'string') {
    if (/[*?]/.test(matcher)) {
      const body = matcher.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
      const re = new RegExp(`^${body}$`);
      return (name) => re.test(name);
    }
    return (name) => name === matcher || name.startsWith(`${matcher}.`);
  }
  const parts = (matcher as readonly ParamMatcher[]).map(compileMatcher);
  return (name) => parts.some((p) => p(name));
}
