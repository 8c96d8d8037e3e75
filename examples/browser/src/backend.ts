// The worker's backend: tfjs' wasm binaries served by Vite, then selectBackend — a hardware
// WebGPU adapter first, wasm next, cpu last; a software adapter (SwiftShader) only when forced.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { selectBackend } from '@tfjs-vit/ops';
import type { BackendInfo, BackendRequest } from './protocol';

setWasmPaths({
  'tfjs-backend-wasm.wasm': wasmPlain,
  'tfjs-backend-wasm-simd.wasm': wasmSimd,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded,
});

/**
 * Activates the requested backend. 'auto' follows selectBackend's order (webgpu on a hardware
 * adapter, wasm, cpu); a named one is tried alone, so a forced backend that cannot start is an error.
 * wasm uses threads only when the page is cross-origin isolated (tfjs gives it half the cores).
 */
export async function startBackend(request: BackendRequest): Promise<BackendInfo> {
  const choice = request === 'auto' ? await selectBackend() : await selectBackend({ prefer: request, fallback: false });
  const backend = tf.getBackend();
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
  const skipped = choice.tried.filter((t) => !t.ok).map((t) => `${t.name}: ${t.reason}`);
  return {
    backend,
    reason: [choice.reason, ...skipped.map((s) => `skipped ${s}`)].join('; '),
    threads: choice.threads ?? null,
    crossOriginIsolated: isolated,
  };
}
