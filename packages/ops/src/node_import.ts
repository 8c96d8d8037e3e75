// Node built-ins loaded only where a Node-only API runs. The specifier goes through a variable, so
// browser bundlers (Vite, esbuild, webpack) neither resolve nor stub them: a page's bundle has no
// trace of node:fs, and no "externalized for browser compatibility" warnings.

/**
 * @internal `await importNode<typeof import('node:fs')>('node:fs')` — a Node built-in, imported lazily.
 */
export function importNode<T>(id: `node:${string}`): Promise<T> {
  return import(/* @vite-ignore */ id) as Promise<T>;
}
