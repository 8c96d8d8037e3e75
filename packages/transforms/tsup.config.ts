import { defineConfig } from 'tsup';
import { baseOptions } from '../../tsup.shared';

// worker is its own entry: DataLoader starts `worker.js` next to the built module in worker_threads.
// Only the CJS build gets tsup's shims (it needs `import.meta.url`); the ESM build has none, so a
// browser bundler (Vite) never meets the `path`/`url` imports of the __filename shim.
const common = {
  ...baseOptions,
  entry: ['src/index.ts', 'src/worker.ts'],
  dts: { entry: 'src/index.ts' },
  external: ['sharp', '@tensorflow/tfjs-core'],
};
export default defineConfig([
  { ...common, format: ['esm'], shims: false },
  { ...common, format: ['cjs'], shims: true, clean: false },
]);
