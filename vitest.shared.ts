// One vitest setup for every package. Tests import sibling packages from source (not dist), so a
// test never depends on a build of another package; CI still builds and type-checks every package.
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const packagesDir = fileURLToPath(new URL('./packages/', import.meta.url));
// A package's subpath export (`@tfjs-vit/ops/gradients`) maps to the source file of that name.
const alias = readdirSync(packagesDir).flatMap((name) => [
  { find: new RegExp(`^@tfjs-vit/${name}$`), replacement: `${packagesDir}${name}/src/index.ts` },
  { find: new RegExp(`^@tfjs-vit/${name}/(\\w+)$`), replacement: `${packagesDir}${name}/src/$1.ts` },
]);

export default defineConfig({
  resolve: { alias },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
  },
});
