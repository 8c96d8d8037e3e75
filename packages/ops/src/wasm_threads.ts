// tfjs-backend-wasm's threaded SIMD binary (XNNPACK with a pthread pool) in Node, where tfjs turns
// it off (tfjs issue 3830). Tied to tfjs-backend-wasm 4.22's internals; every assumption is checked
// first, and when one fails the caller gets one thread and the reason, never a broken backend.
import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError } from './errors';
import { importNode } from './node_import';

/** What {@link initWasmThreads} got. */
export interface WasmThreads {
  /** Threads XNNPACK uses (`getThreadsCount()`): 1 when threads could not be turned on. */
  threads: number;
  /** Why it is that many. */
  reason: string;
}

/** The version whose worker script and `wasm-out` layout this was written against. */
export const WASM_THREADS_TFJS_VERSION = '4.22.0';

/** How tfjs' pthread worker loads the factory it is sent; replaced by a path to the package's own copy. */
const WORKER_LOAD =
  'if(typeof e.data.urlOrBlob=="string"){importScripts(e.data.urlOrBlob)}else{var objectUrl=URL.createObjectURL(e.data.urlOrBlob);importScripts(objectUrl);URL.revokeObjectURL(objectUrl)}';

type WasmModule = typeof import('@tensorflow/tfjs-backend-wasm');
type NodeRequire = (id: string) => unknown;
interface PThreadPool { unusedWorkers: { unref?(): void }[]; runningWorkers: { unref?(): void }[] }

const one = (reason: string): WasmThreads => ({ threads: 1, reason });

/**
 * Initialises the wasm backend with `requested` threads in Node ('auto': one per core, at most 8)
 * and makes it the active backend. What has to be true, in order: the multithread flag set before
 * init (SIMD staying on); the pthread worker script written to a file (Node's `worker_threads`
 * cannot load tfjs' `blob:` URL), loading the package's untranspiled threaded factory; the core
 * count reported as twice the threads during init (XNNPACK caps its pool at half the cores); the
 * pool's workers unref'd (or the process never exits); one event-loop turn before the first op.
 * When any check fails (not Node, wasm already initialised, another tfjs-backend-wasm layout, one
 * core), wasm starts single-threaded and `reason` says why. Call it before anything else uses wasm.
 *
 * @example
 * ```ts
 * const { threads, reason } = await initWasmThreads('auto'); // 2 on a 2-core machine
 * ```
 */
export async function initWasmThreads(requested: number | 'auto' = 'auto'): Promise<WasmThreads> {
  if (requested !== 'auto' && !(Number.isInteger(requested) && requested >= 1)) {
    throw new ArgumentError(`initWasmThreads: threads must be a positive integer or 'auto', got ${String(requested)}`);
  }
  const isNode = typeof process !== 'undefined' && !!process.versions?.node;
  const wasm = (await import('@tensorflow/tfjs-backend-wasm')) as WasmModule;
  const single = async (reason: string) => {
    if (!(await tf.setBackend('wasm'))) throw new Error("tf.setBackend('wasm') failed");
    return one(reason);
  };
  if (!isNode) return single('not Node: in a browser tfjs picks threads itself when the page is cross-origin isolated');
  if (tf.engine().registry.wasm) return { threads: wasm.getThreadsCount(), reason: 'wasm was already initialised; its thread count cannot change in this process' };
  const os = await importNode<typeof import('node:os')>('node:os');
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  const n = requested === 'auto' ? Math.min(cores, 8) : requested;
  if (n === 1) return single(requested === 'auto' ? 'one core' : 'one thread requested');
  if (!(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'))) return single('no wasm SIMD here (the threaded binary needs it)');

  const { createRequire } = await importNode<typeof import('node:module')>('node:module');
  const { join, dirname } = await importNode<typeof import('node:path')>('node:path');
  const fs = await importNode<typeof import('node:fs')>('node:fs');
  // this module's location: __filename in the CJS build, import.meta.url in the ESM one
  const here = typeof __filename !== 'undefined' ? __filename : import.meta.url;
  const require = createRequire(here) as NodeRequire & { resolve(id: string): string };
  let pkgDir: string;
  try {
    pkgDir = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
  } catch (e) {
    return single(`cannot find @tensorflow/tfjs-backend-wasm's files from ${here}: ${(e as Error).message.split('\n')[0]}`);
  }
  const version = (JSON.parse(fs.readFileSync(join(pkgDir, 'package.json'), 'utf8')) as { version: string }).version;
  const factory = join(pkgDir, 'wasm-out', 'tfjs-backend-wasm-threaded-simd.js');
  const workerModule = join(pkgDir, 'wasm-out', 'tfjs-backend-wasm-threaded-simd.worker.js');
  if (!fs.existsSync(factory) || !fs.existsSync(workerModule)) return single(`tfjs-backend-wasm ${version} has no wasm-out/ threaded factory and worker (written for ${WASM_THREADS_TFJS_VERSION})`);
  const text = (require(workerModule) as { wasmWorkerContents?: string }).wasmWorkerContents;
  if (typeof text !== 'string' || !text.includes(WORKER_LOAD)) return single(`tfjs-backend-wasm ${version}'s pthread worker is not the one this was written for (${WASM_THREADS_TFJS_VERSION})`);

  // The worker, as a file, loading the package's own factory (it has Emscripten's Node path).
  const dir = fs.mkdtempSync(join(os.tmpdir(), 'tfjs-vit-wasm-'));
  const workerFile = join(dir, 'tfjs-backend-wasm-threaded-simd.worker.cjs');
  // (the text holds raw newlines inside string literals: escape them, as tfjs does for its Blob)
  fs.writeFileSync(workerFile, text.replace(WORKER_LOAD, `importScripts(${JSON.stringify(factory)});`).replace(/\n/g, '\\n'));
  process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));

  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  wasm.setThreadsCount(n);
  const nodeOs = require('os') as { cpus: typeof os.cpus };
  const cpus = nodeOs.cpus;
  const createObjectURL = URL.createObjectURL;
  const core = cpus.call(nodeOs)[0]!;
  nodeOs.cpus = () => Array.from({ length: 2 * n }, () => core);
  URL.createObjectURL = (obj: Blob | MediaSource) => (obj instanceof Blob && obj.type === 'application/javascript' ? workerFile : createObjectURL(obj));
  let ok: boolean;
  try {
    ok = await tf.setBackend('wasm');
  } finally {
    nodeOs.cpus = cpus;
    URL.createObjectURL = createObjectURL;
  }
  if (!ok) throw new Error('initWasmThreads: the threaded wasm backend failed to initialise');
  const pool = (tf.backend() as unknown as { wasm?: { PThread?: PThreadPool } }).wasm?.PThread;
  for (const w of [...(pool?.unusedWorkers ?? []), ...(pool?.runningWorkers ?? [])]) w.unref?.();
  await new Promise((r) => setTimeout(r, 20)); // ops run before the loop turns stay on one thread
  const threads = wasm.getThreadsCount();
  return { threads, reason: threads === n ? `${n} threads (threaded SIMD binary)` : `asked for ${n}, XNNPACK took ${threads}` };
}
