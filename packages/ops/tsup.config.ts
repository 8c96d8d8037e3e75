import { defineConfig } from 'tsup';
import { baseOptions } from '../../tsup.shared';

export default defineConfig({
  ...baseOptions,
  // gradients.ts is the side-effect entry `@tfjs-vit/ops/gradients`; it carries tfjs-core's gradient
  // registrations (see that file), the one bundled import of tfjs-core.
  entry: ['src/index.ts', 'src/gradients.ts'],
  noExternal: [/^@tensorflow\/tfjs-core\/dist\/register_all_gradients/],
  // registerGradients' `import('./gradients')` loads the built entry file, so the registrations
  // exist once in dist/ rather than a second time inside index.
  esbuildPlugins: [
    {
      name: 'gradients-entry-external',
      setup(build) {
        const built = `./gradients.${build.initialOptions.format === 'cjs' ? 'cjs' : 'js'}`;
        build.onResolve({ filter: /^\.\/gradients$/ }, (args) =>
          args.importer.endsWith('/src/register_gradients.ts') ? { path: built, external: true } : undefined,
        );
      },
    },
  ],
  esbuildOptions(options) {
    // wasm_threads.ts reads `__filename` in the CJS build and `import.meta.url` only in the ESM one
    // (guarded by typeof), so esbuild's "import.meta is empty in cjs" notice does not apply.
    options.logOverride = { ...options.logOverride, 'empty-import-meta': 'silent' };
  },
});
