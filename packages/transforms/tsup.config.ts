import { defineConfig } from 'tsup';

// worker is its own entry: DataLoader starts `worker.js` next to the built module in worker_threads.
export default defineConfig({
  entry: ['src/index.ts', 'src/worker.ts'],
  format: ['esm', 'cjs'],
  dts: { entry: 'src/index.ts' },
  sourcemap: true,
  clean: true,
  shims: true,
  target: 'es2022',
  external: ['sharp', '@tensorflow/tfjs-core'],
});
