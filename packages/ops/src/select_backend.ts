// Picks the fastest tfjs backend this runtime can actually run, loading optional packages lazily.
import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError, BackendError } from './errors';
import { installLeanBackprop } from './lean_backprop';
import { installWasmKernels } from './wasm_kernels';
import { initWasmThreads } from './wasm_threads';

/** One backend that {@link selectBackend} considered. */
export interface BackendAttempt {
  /** Candidate name: 'webgpu', 'tfjs-node-gpu', 'tfjs-node', 'wasm' or 'cpu'. */
  name: string;
  ok: boolean;
  /** Why it was chosen or skipped. */
  reason: string;
}

/** What {@link selectBackend} chose (the tfjs backend name, now active) and why. */
export interface BackendChoice {
  /** The tfjs backend name now active ('webgpu', 'tensorflow', 'wasm' or 'cpu'). */
  backend: string;
  reason: string;
  tried: BackendAttempt[];
  /** wasm in Node: the threads XNNPACK runs on (see `wasmThreads`). */
  threads?: number;
}

/** Options of {@link selectBackend}. */
export interface SelectBackendOptions {
  /** Candidates to try first, in order; the default order follows. Explicitly preferring 'webgpu' allows a software adapter. */
  prefer?: string[] | string;
  /** Accept a software WebGPU adapter (SwiftShader), ~50x slower than wasm on this kind of machine. Default false. */
  allowFallbackAdapter?: boolean;
  /** After `prefer`, go on with the rest of the default order (default true); false tries `prefer` only. */
  fallback?: boolean;
  /**
   * wasm in Node: threads for XNNPACK ({@link initWasmThreads}; 'auto' = one per core). Default 1,
   * tfjs' own choice in Node. Browsers decide themselves (threads when cross-origin isolated).
   */
  wasmThreads?: number | 'auto';
}

/**
 * Threads the wasm backend runs on once it is initialised in this process, else undefined.
 *
 * @example
 * ```ts
 * wasmThreadsInUse(); // 2 after selectBackend({ wasmThreads: 'auto' }) on 2 cores
 * ```
 */
export function wasmThreadsInUse(): number | undefined {
  const b = tf.engine().registry.wasm as { wasm?: { tfjs?: { getThreadsCount?: () => number } } } | undefined;
  return b?.wasm?.tfjs?.getThreadsCount?.();
}

/** Default order, fastest first. */
export const BACKEND_ORDER: readonly string[] = ['webgpu', 'tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu'];

type Skip = { skip: string };
type Loaded = { backend: string; detail: string; threads?: number };

// Node-only optional packages are imported through a variable so bundlers and tsc do not require them.
const importOptional = (spec: string): Promise<unknown> => import(/* @vite-ignore */ spec);
const isNode = typeof process !== 'undefined' && !!process.versions?.node;
const message = (e: unknown): string => (e instanceof Error ? e.message : String(e)).split('\n')[0];

interface GpuAdapterLike {
  isFallbackAdapter?: boolean;
  info?: { vendor?: string; architecture?: string; device?: string; description?: string };
}
interface GpuLike { requestAdapter(opts?: unknown): Promise<GpuAdapterLike | null> }

async function webgpuGpu(): Promise<GpuLike | Skip> {
  const nav = (globalThis as { navigator?: { gpu?: GpuLike } }).navigator;
  if (nav?.gpu) return nav.gpu;
  if (!isNode) return { skip: 'navigator.gpu is not available in this browser' };
  let mod: { create: (flags: string[]) => GpuLike; globals: Record<string, unknown> };
  try {
    mod = (await importOptional('webgpu')) as typeof mod;
  } catch (e) {
    return { skip: `optional package 'webgpu' (Dawn for Node) not installed: ${message(e)}` };
  }
  const gpu = mod.create([]);
  Object.assign(globalThis, mod.globals);
  const g = globalThis as { navigator?: { gpu?: GpuLike } };
  if (g.navigator) g.navigator.gpu = gpu;
  else g.navigator = { gpu };
  return gpu;
}

async function loadWebgpu(allowFallback: boolean): Promise<Loaded | Skip> {
  const gpu = await webgpuGpu();
  if ('skip' in gpu) return gpu;
  const adapter = await gpu.requestAdapter();
  if (!adapter) {
    return { skip: isNode ? 'no WebGPU adapter (on Linux Node, Vulkan needs a driver or VK_ICD_FILENAMES)' : 'no WebGPU adapter (this browser or GPU offers none: WebGPU disabled, or a blocklisted driver)' };
  }
  const info = adapter.info ?? {};
  const name = [info.vendor, info.architecture, info.description].filter(Boolean).join(' ') || 'unknown adapter';
  const software = adapter.isFallbackAdapter === true || /swiftshader|llvmpipe|software/i.test(name);
  if (software && !allowFallback) {
    return { skip: `software adapter (${name}) is far slower than wasm; pass allowFallbackAdapter or prefer 'webgpu' to use it` };
  }
  await import('@tensorflow/tfjs-backend-webgpu');
  if (!tf.findBackendFactory('webgpu')) {
    return { skip: '@tensorflow/tfjs-backend-webgpu was imported before navigator.gpu existed, so it did not register' };
  }
  return { backend: 'webgpu', detail: `${software ? 'software' : 'hardware'} adapter ${name}` };
}

async function loadCandidate(name: string, allowFallback: boolean, wasmThreads: number | 'auto'): Promise<Loaded | Skip> {
  switch (name) {
    case 'webgpu':
      return loadWebgpu(allowFallback);
    case 'tfjs-node-gpu':
    case 'tfjs-node':
      if (!isNode) return { skip: 'not running in Node' };
      try {
        await importOptional(`@tensorflow/${name}`);
      } catch (e) {
        return { skip: `optional package @tensorflow/${name} not installed or failed to load: ${message(e)}` };
      }
      return { backend: 'tensorflow', detail: `@tensorflow/${name} (libtensorflow)` };
    case 'wasm':
      try {
        await import('@tensorflow/tfjs-backend-wasm');
      } catch (e) {
        return { skip: `@tensorflow/tfjs-backend-wasm not installed: ${message(e)}` };
      }
      installWasmKernels();
      if (isNode && wasmThreads !== 1) {
        const { threads, reason } = await initWasmThreads(wasmThreads);
        return { backend: 'wasm', detail: `WebAssembly (XNNPACK), ${threads} thread${threads === 1 ? '' : 's'}: ${reason}`, threads };
      }
      return { backend: 'wasm', detail: 'WebAssembly (XNNPACK)' };
    case 'cpu':
      try {
        await import('@tensorflow/tfjs-backend-cpu');
      } catch (e) {
        return { skip: `@tensorflow/tfjs-backend-cpu not installed: ${message(e)}` };
      }
      return { backend: 'cpu', detail: 'plain JavaScript' };
    default:
      throw new ArgumentError(`selectBackend: unknown backend '${name}', expected one of ${BACKEND_ORDER.join(', ')}`);
  }
}

/**
 * Tries backends in order — `prefer` first, then webgpu, tfjs-node-gpu, tfjs-node, wasm, cpu —
 * importing each optional package only when its turn comes, and activates the first that
 * initialises. A missing package or adapter is a skip with a reason, not an error. A software WebGPU
 * adapter (SwiftShader) is skipped unless `allowFallbackAdapter` or 'webgpu' is in `prefer`.
 * With `fallback: false` only `prefer` is tried (and failing them all throws).
 * In Node, WebGPU comes from the optional `webgpu` package (import it no earlier than this call).
 *
 * @example
 * ```ts
 * const { backend, tried } = await selectBackend(); // e.g. 'wasm'
 * console.log(tried.map((t) => `${t.name}: ${t.reason}`).join('\n'));
 * ```
 */
export async function selectBackend(opts: SelectBackendOptions = {}): Promise<BackendChoice> {
  const prefer = opts.prefer === undefined ? [] : Array.isArray(opts.prefer) ? opts.prefer : [opts.prefer];
  for (const p of prefer) {
    if (!BACKEND_ORDER.includes(p)) throw new ArgumentError(`selectBackend: unknown backend '${p}', expected one of ${BACKEND_ORDER.join(', ')}`);
  }
  const order = opts.fallback === false ? [...new Set(prefer)] : [...new Set([...prefer, ...BACKEND_ORDER])];
  const tried: BackendAttempt[] = [];
  for (const name of order) {
    const allowFallback = opts.allowFallbackAdapter === true || prefer.includes(name);
    let result: Loaded | Skip;
    try {
      result = await loadCandidate(name, allowFallback, opts.wasmThreads ?? 1);
    } catch (e) {
      result = { skip: `failed to load: ${message(e)}` };
    }
    if ('skip' in result) {
      tried.push({ name, ok: false, reason: result.skip });
      continue;
    }
    let ok = false;
    let failure = '';
    try {
      ok = await tf.setBackend(result.backend);
      if (ok) await tf.ready();
    } catch (e) {
      failure = message(e);
    }
    if (!ok) {
      tried.push({ name, ok: false, reason: `tf.setBackend('${result.backend}') failed${failure ? `: ${failure}` : ''}` });
      continue;
    }
    const why = prefer.includes(name) ? 'preferred' : tried.length ? 'first available in the default order' : 'first in the default order';
    const reason = `${name}: ${result.detail} (${why})`;
    tried.push({ name, ok: true, reason });
    installLeanBackprop();
    const threads = result.backend === 'wasm' ? result.threads ?? wasmThreadsInUse() : undefined;
    return { backend: result.backend, reason, tried, ...(threads !== undefined ? { threads } : {}) };
  }
  throw new BackendError(`selectBackend: no backend could be initialised: ${tried.map((t) => `${t.name} (${t.reason})`).join('; ')}`);
}
