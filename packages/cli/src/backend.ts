// `--backend`: auto (the default order of selectBackend: tfjs-node when installed, else wasm…) or
// one backend by name, which must then be the one that runs (no silent fallback).
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend, TfjsVitError, wasmThreadsInUse } from '@tfjs-vit/ops';

const PREFER: Record<string, string[]> = {
  wasm: ['wasm'],
  cpu: ['cpu'],
  webgpu: ['webgpu'],
  tensorflow: ['tfjs-node-gpu', 'tfjs-node'],
};

/** What `auto` tries, in order. WebGPU in Node (Dawn) is tried only when asked for by name: on
 * machines without a GPU driver Dawn prints adapter errors, and a software adapter is slower than wasm. */
export const AUTO_ORDER: readonly string[] = ['tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu'];

/**
 * Activates the backend `--backend` names and returns its tfjs name. A named backend that cannot
 * start is an error saying why (e.g. `@tensorflow/tfjs-node` not installed). wasm runs on
 * `wasmThreads` threads in Node (default 'auto': one per core; see `initWasmThreads`).
 *
 * @example
 * ```ts
 * await useBackend('auto'); // 'wasm' here; 'tensorflow' where tfjs-node is installed
 * ```
 */
export async function useBackend(name = 'auto', wasmThreads: number | 'auto' = 'auto'): Promise<string> {
  if (name === 'auto') return (await selectBackend({ prefer: [...AUTO_ORDER], fallback: false, wasmThreads })).backend;
  const prefer = PREFER[name];
  if (!prefer) throw new TfjsVitError('CLI_ARGUMENT', `--backend must be one of auto, ${Object.keys(PREFER).join(', ')}; got '${name}'`);
  try {
    return (await selectBackend({ prefer, fallback: false, wasmThreads })).backend;
  } catch (e) {
    const hint = name === 'tensorflow' ? ' (npm install @tensorflow/tfjs-node, or -node-gpu)' : name === 'webgpu' ? ' (in Node: npm install webgpu, and a Vulkan driver)' : '';
    throw new TfjsVitError('BACKEND_UNAVAILABLE', `backend '${name}' is not available${hint}: ${(e as Error).message.replace(/^selectBackend: no backend could be initialised: /, '')}`);
  }
}

/**
 * The active backend for a log line: `wasm (2 threads)`, `cpu`, ….
 *
 * @example
 * ```ts
 * ctx.info(`backend: ${describeBackend()}`);
 * ```
 */
export function describeBackend(): string {
  const name = tf.getBackend();
  const threads = wasmThreadsInUse();
  return name === 'wasm' && threads ? `wasm (${threads} thread${threads === 1 ? '' : 's'})` : name;
}
