import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { describe, expect, it } from 'vitest';
import { registerGradients, TFJS_CORE_RESOLVE_HOOK } from './register_gradients';

describe('registerGradients', () => {
  it('registers the gradients (vite resolves the ESM module directly) and is idempotent', async () => {
    const first = await registerGradients();
    expect(['imported', 'already-registered']).toContain(first);
    expect(tf.getGradient('Sum')).toBeDefined();
    expect(tf.getGradient('BatchMatMul')).toBeDefined();
    expect(await registerGradients()).toBe(first);
    await tf.setBackend('cpu');
    const g = tf.grad((x: tf.Tensor) => tf.sum(tf.square(x)))(tf.tensor([1, 2, 3]));
    expect(Array.from(g.dataSync())).toEqual([2, 4, 6]);
  });

  it('in plain Node, where the import alone fails, the resolve hook makes it load', () => {
    const script = `
      import * as tf from '@tensorflow/tfjs-core';
      import '@tensorflow/tfjs-backend-cpu';
      import { register } from 'node:module';
      let plain = 'ok';
      // Same two steps as registerGradients: the extensionless import fails, then the hook.
      try { await import('@tensorflow/tfjs-core/dist/register_all_gradients'); } catch (e) { plain = e.code; }
      register('data:text/javascript,' + encodeURIComponent(process.env.HOOK));
      await import('@tensorflow/tfjs-core/dist/register_all_gradients.js');
      await tf.setBackend('cpu');
      const g = tf.grad((x) => tf.sum(tf.square(x)))(tf.tensor([1, 2, 3]));
      console.log(JSON.stringify({ plain, grad: Array.from(g.dataSync()) }));
    `;
    const cwd = fileURLToPath(new URL('..', import.meta.url));
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd, env: { ...process.env, HOOK: TFJS_CORE_RESOLVE_HOOK }, encoding: 'utf8', timeout: 60_000,
    });
    const result = JSON.parse(out.trim().split('\n').pop() as string);
    expect(result.plain).toBe('ERR_MODULE_NOT_FOUND'); // the problem this works around
    expect(result.grad).toEqual([2, 4, 6]);
  });
});
