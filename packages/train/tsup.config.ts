import { defineConfig } from 'tsup';
import { baseOptions } from '../../tsup.shared';

export default defineConfig({
  ...baseOptions,
  // browser.ts is the "browser" export: the file-free subset, for Vite and other bundlers.
  // tfjs-core's gradient registrations come from `@tfjs-vit/ops/gradients` (external, one copy).
  entry: ['src/index.ts', 'src/browser.ts'],
});
