// Test-only: bundles src/worker.ts with esbuild so tests run the DataLoader's worker path from source.
import { build } from 'esbuild';
import { fileURLToPath, pathToFileURL } from 'node:url';

let url: Promise<URL> | undefined;

/** A file URL of the bundled worker (built once per test process, next to node_modules for resolution). */
export function testWorkerUrl(): Promise<URL> {
  url ??= (async () => {
    const outfile = fileURLToPath(new URL(`../node_modules/.cache/tfjs-vit-transforms/worker-${process.pid}.mjs`, import.meta.url));
    await build({
      entryPoints: [fileURLToPath(new URL('./worker.ts', import.meta.url))],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      outfile,
      external: ['sharp', '@tensorflow/*'],
      logLevel: 'silent',
    });
    return pathToFileURL(outfile);
  })();
  return url;
}
