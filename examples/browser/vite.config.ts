import { defineConfig } from 'vite';

// `base: './'` lets dist/ be served from any path. The dev and preview servers send COOP/COEP, so
// the page is cross-origin isolated and tfjs-wasm may use threads (static hosts need the same two headers).
const isolation = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

export default defineConfig({
  base: './',
  worker: { format: 'es' },
  build: { target: 'es2022', reportCompressedSize: true, chunkSizeWarningLimit: 4096 },
  server: { headers: isolation },
  preview: { headers: isolation },
});
