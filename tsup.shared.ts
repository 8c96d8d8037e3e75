// The build every package shares: ESM + CJS with .d.ts, from src/index.ts. Packages spread this and
// add what is theirs (extra entries, bundled imports).
import type { Options } from 'tsup';

export const baseOptions: Options = {
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
};
