import { defineConfig } from 'tsup';
import { baseOptions } from '../../tsup.shared';

// worker is its own entry: DataLoader starts `worker.js` next to the built module in worker_threads.
export default defineConfig({
  ...baseOptions,
  entry: ['src/index.ts', 'src/worker.ts'],
  dts: { entry: 'src/index.ts' },
  shims: true,
  external: ['sharp', '@tensorflow/tfjs-core'],
});
