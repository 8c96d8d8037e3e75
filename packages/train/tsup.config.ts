import { defineConfig } from 'tsup';
import { baseOptions } from '../../tsup.shared';

export default defineConfig({
  ...baseOptions,
  // browser.ts is the "browser" export: the file-free subset, for Vite and other bundlers.
  entry: ['src/index.ts', 'src/browser.ts'],
  // tfjs-core ships its gradient registrations only as extensionless ESM files (no Node-loadable
  // bundle has them), so `import '@tensorflow/tfjs-core/dist/register_all_gradients'` fails under
  // plain Node. Bundle that import (tfjs-core itself stays external: the engine, kernel and
  // gradient registries are process globals, so the bundled registrations reach the user's tfjs).
  noExternal: [/^@tensorflow\/tfjs-core\/dist\/register_all_gradients/],
});
