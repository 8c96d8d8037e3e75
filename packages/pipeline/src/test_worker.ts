// Test-only: bundles src/predict_worker.ts (and the sibling packages from source) with esbuild, so
// the pool's tests run the worker code of this checkout rather than a build.
import { build, type Plugin } from 'esbuild';
import { fileURLToPath, pathToFileURL } from 'node:url';

let url: Promise<URL> | undefined;

const packagesDir = fileURLToPath(new URL('../../', import.meta.url));
/** `@tfjs-vit/<name>` → its src/index.ts, as vitest's alias does. */
const fromSource: Plugin = {
  name: 'tfjs-vit-source',
  setup(b) {
    b.onResolve({ filter: /^@tfjs-vit\/\w+$/ }, (args) => ({ path: `${packagesDir}${args.path.slice('@tfjs-vit/'.length)}/src/index.ts` }));
    b.onResolve({ filter: /^@tfjs-vit\/\w+\/\w+$/ }, (args) => {
      const [, name, sub] = args.path.split('/');
      return { path: `${packagesDir}${name}/src/${sub}.ts` };
    });
  },
};

/** A file URL of the bundled predict worker (built once per test process, under node_modules for resolution). */
export function testPredictWorkerUrl(): Promise<URL> {
  url ??= (async () => {
    const outfile = fileURLToPath(new URL(`../node_modules/.cache/tfjs-vit-pipeline/predict_worker-${process.pid}.mjs`, import.meta.url));
    await build({
      entryPoints: [fileURLToPath(new URL('./predict_worker.ts', import.meta.url))],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      outfile,
      plugins: [fromSource],
      external: ['sharp', '@tensorflow/*', 'onnxruntime-node', 'piscina'],
      // bundled CJS dependencies may call require(): give the ESM bundle one
      banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
      logLevel: 'silent',
    });
    return pathToFileURL(outfile);
  })();
  return url;
}
