// Node built-ins reached without static imports, so browser bundles of this package stay clean.
import { TransformsError } from './errors';

/** @internal A Node built-in module (`node:fs`, `node:zlib`…), or a clear error outside Node. */
export function nodeModule<T>(id: string): T {
  const get = typeof process !== 'undefined' ? (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule : undefined;
  const mod = get?.(id);
  if (!mod) throw new TransformsError('ENVIRONMENT', `${id} is needed here: this API runs in Node ≥ 20.16 only`);
  return mod as T;
}

/** @internal */
export const fs = (): typeof import('node:fs') => nodeModule('node:fs');
/** @internal */
export const pathModule = (): typeof import('node:path') => nodeModule('node:path');
