// A training checkpoint killed mid-write (SIGKILL, in a child process running the built package):
// the previous `last/` stays complete and loadable, and nothing partial takes its name.
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { createViT } from '@tfjs-vit/models';
import { killWhen } from '@tfjs-vit/testing';
import { expect, it } from 'vitest';
import { loadCheckpoint, saveCheckpoint } from './checkpoint';

const pkg = fileURLToPath(new URL('..', import.meta.url));
const SMALL = { imgSize: 32, patchSize: 8, embedDim: 32, depth: 2, numHeads: 4, numClasses: 10 };

/** Writes a ViT-S-sized checkpoint (88 MB of weights) over `dir`. */
const CHILD = `
  import * as tf from '@tensorflow/tfjs-core';
  import '@tensorflow/tfjs-backend-cpu';
  import { createViT } from '@tfjs-vit/models';
  import { saveCheckpoint } from './dist/index.js';
  await tf.setBackend('cpu');
  await saveCheckpoint(process.argv.at(-1), { model: createViT({ embedDim: 384, depth: 12, numHeads: 6, numClasses: 10 }), step: 999, epoch: 9 });
  console.log('finished');
`;

const files = (dir: string) => new Map(readdirSync(dir).sort().map((f) => [f, readFileSync(join(dir, f))]));

it('saveCheckpoint killed mid-write leaves the previous checkpoint as it was', async () => {
  if (!existsSync(join(pkg, 'dist', 'index.js'))) throw new Error('packages/train/dist is not built: npm run build -w @tfjs-vit/train (npm test builds it first)');
  await tf.setBackend('cpu');
  const root = mkdtempSync(join(tmpdir(), 'tfjs-vit-ckpt-kill-'));
  const dir = join(root, 'last');
  const model = createViT(SMALL);
  await saveCheckpoint(dir, { model, step: 7, epoch: 1 });
  const before = files(dir);
  // the new checkpoint is built in a temporary folder beside `last`: kill once a file there has bytes
  const writing = () => readdirSync(root).some((d) => d.includes('.tmp-') && readdirSync(join(root, d)).some((f) => statSync(join(root, d, f)).size > 0));
  const r = await killWhen(CHILD, [dir], pkg, writing);
  expect(r.triggered, r.stderr.slice(-1000)).toBe(true);
  expect(r.killed).toBe(true);
  expect(r.stdout).toBe('');
  expect(files(dir)).toEqual(before);
  const twin = createViT(SMALL);
  expect(await loadCheckpoint(dir, { model: twin })).toMatchObject({ step: 7, epoch: 1 });
  model.dispose();
  twin.dispose();
});
