// The built package in plain Node: its gradients come from `@tfjs-vit/ops/gradients` (one copy of
// tfjs-core's registrations, in ops), not from a copy bundled into train's own files.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { expect, it } from 'vitest';
import { crossEntropy } from './cross_entropy';
import { lossAndGradients } from './train_step';
import type { TrainableModel } from './types';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const W = [[0.5, -1], [2, 0.25], [-0.75, 1.5]];
const X = [[1, 2, 3], [-1, 0.5, 2]];
const Y = [1, 0];

it('built: lossAndGradients runs in plain Node with the gradients ops registers', async () => {
  if (!existsSync(`${dist}index.js`)) throw new Error('packages/train/dist is not built: npm run build -w @tfjs-vit/train (npm test builds it first)');
  const script = `
    import * as tf from '@tensorflow/tfjs-core';
    import '@tensorflow/tfjs-backend-cpu';
    import { lossAndGradients, crossEntropy } from './dist/index.js';
    await tf.setBackend('cpu');
    const w = tf.variable(tf.tensor(${JSON.stringify(W)}), true, 'w');
    const model = { forward: (x) => tf.matMul(x, w) };
    const r = lossAndGradients(model, (l, y) => crossEntropy(l, y), tf.tensor(${JSON.stringify(X)}), tf.tensor1d(${JSON.stringify(Y)}, 'int32'), [w]);
    console.log(JSON.stringify({ loss: r.loss.dataSync()[0], grad: Array.from(r.grads.w.dataSync()) }));
  `;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: `${dist}..`, encoding: 'utf8', timeout: 60_000 });
  const built = JSON.parse(out.trim().split('\n').pop() as string);

  await tf.setBackend('cpu');
  const w = tf.variable(tf.tensor(W), true, 'w_src');
  const r = lossAndGradients({ forward: (x: tf.Tensor) => tf.matMul(x, w) } as unknown as TrainableModel, (l, y) => crossEntropy(l, y), tf.tensor(X), tf.tensor1d(Y, 'int32'), [w]);
  expect(built.loss).toBeCloseTo(r.loss.dataSync()[0], 6);
  expect(built.grad).toEqual(Array.from(r.grads.w_src.dataSync()));
  expect(built.grad.some((g: number) => g !== 0)).toBe(true);
  tf.dispose([w, r.loss, r.logits, r.grads]);
});

it('built: no file of train carries a copy of tfjs-core', () => {
  const files = readdirSync(dist).filter((f) => /\.c?js$/.test(f));
  expect(files.length).toBeGreaterThan(0);
  for (const f of files) expect(readFileSync(`${dist}${f}`, 'utf8'), f).not.toContain('@tensorflow/tfjs-core/dist/');
});
