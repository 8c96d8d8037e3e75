import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { describe, expect, it } from 'vitest';
import { registerGradients } from './register_gradients';

const pkg = fileURLToPath(new URL('..', import.meta.url));

/** Runs `script` in a plain Node process (no vite) from the package directory; its last line as JSON. */
function node(script: string, type: 'module' | 'commonjs'): { source: string; grad: number[] } {
  if (!existsSync(`${pkg}dist/gradients.js`)) throw new Error('packages/ops/dist is not built: npm run build -w @tfjs-vit/ops (npm test builds it first)');
  const out = execFileSync(process.execPath, [`--input-type=${type}`, '-e', script], { cwd: pkg, encoding: 'utf8', timeout: 60_000 });
  return JSON.parse(out.trim().split('\n').pop() as string);
}

describe('registerGradients', () => {
  it('registers the gradients and is idempotent', async () => {
    const first = await registerGradients();
    expect(['imported', 'already-registered']).toContain(first);
    expect(tf.getGradient('Sum')).toBeDefined();
    expect(tf.getGradient('BatchMatMul')).toBeDefined();
    expect(await registerGradients()).toBe(first);
    await tf.setBackend('cpu');
    const g = tf.grad((x: tf.Tensor) => tf.sum(tf.square(x)))(tf.tensor([1, 2, 3]));
    expect(Array.from(g.dataSync())).toEqual([2, 4, 6]);
  });

  // tfjs-core's own registration module cannot be imported in plain Node (extensionless imports);
  // the built entry bundles it, so these run without a bundler or a resolve hook.
  it('built: registerGradients() in plain Node (ESM) loads dist/gradients.js', () => {
    const r = node(`
      import * as tf from '@tensorflow/tfjs-core';
      import '@tensorflow/tfjs-backend-cpu';
      import { registerGradients } from './dist/index.js';
      const before = tf.getGradient('Sum') === undefined;
      const source = await registerGradients();
      await tf.setBackend('cpu');
      const g = tf.grad((x) => tf.sum(tf.square(x)))(tf.tensor([1, 2, 3]));
      console.log(JSON.stringify({ source: before ? source : 'was registered', grad: Array.from(g.dataSync()) }));
    `, 'module');
    expect(r).toEqual({ source: 'imported', grad: [2, 4, 6] });
  });

  it('built: require("@tfjs-vit/ops/gradients") registers them in CommonJS, on the same tfjs-core', () => {
    const r = node(`
      const tf = require('@tensorflow/tfjs-core');
      require('@tensorflow/tfjs-backend-cpu');
      const before = tf.getGradient('Sum') === undefined;
      require('./dist/gradients.cjs');
      tf.setBackend('cpu').then(() => {
        const g = tf.grad((x) => tf.sum(tf.mul(x, tf.scalar(3))))(tf.tensor([1, 2]));
        console.log(JSON.stringify({ source: before && tf.getGradient('Sum') ? 'imported' : 'no', grad: Array.from(g.dataSync()) }));
      });
    `, 'commonjs');
    expect(r).toEqual({ source: 'imported', grad: [3, 3] });
  });
});
