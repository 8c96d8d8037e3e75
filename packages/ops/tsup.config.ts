import { defineConfig } from 'tsup';
import { baseOptions } from '../../tsup.shared';

export default defineConfig({
  ...baseOptions,
  // wasm_threads.ts reads `__filename` in the CJS build and `import.meta.url` only in the ESM one
  // (guarded by typeof), so esbuild's "import.meta is empty in cjs" notice does not apply.
  esbuildOptions(options) {
    options.logOverride = { ...options.logOverride, 'empty-import-meta': 'silent' };
  },
});
