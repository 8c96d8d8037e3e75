import { defineConfig } from 'tsup';
import { baseOptions } from '../../tsup.shared';

export default defineConfig({
  ...baseOptions,
  entry: ['src/index.ts', 'src/cli.ts'],
  format: ['esm'],
  dts: { entry: 'src/index.ts' },
});
