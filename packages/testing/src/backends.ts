// The backend matrix every op and layer test runs on (tfjs-core's describeWithFlags idea).
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe } from 'vitest';

/** Backends this machine runs in tests. `TFJS_VIT_TEST_BACKENDS=cpu` narrows the list. */
export const TEST_BACKENDS: readonly string[] = (process.env.TFJS_VIT_TEST_BACKENDS ?? 'cpu,wasm')
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean);

/** Runs the same suite once per backend; inside, `tf.getBackend()` is that backend. */
export function describeBackends(
  name: string,
  fn: (backend: string) => void,
  backends: readonly string[] = TEST_BACKENDS,
): void {
  for (const backend of backends) {
    describe(`${name} [${backend}]`, () => {
      beforeAll(async () => {
        const ok = await tf.setBackend(backend);
        if (!ok) throw new Error(`backend ${backend} failed to initialise`);
        await tf.ready();
      });
      fn(backend);
    });
  }
}
