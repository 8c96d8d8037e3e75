// Writers killed mid-write (SIGKILL, in a child process running the built package): the previous
// file is left as it was and nothing partial appears under the final name.
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { createViT } from '@tfjs-vit/models';
import { killWhen } from '@tfjs-vit/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { openAtomicFile, writeFileAtomic } from './atomic_file';
import { saveOnnx } from './onnx_export';
import { serializeSafetensors, saveSafetensors } from './safetensors_write';
import { saveTfjsModel } from './tfjs_format_save';

const pkg = fileURLToPath(new URL('..', import.meta.url));

/** What the child writes: large enough that the kill lands while it is writing. */
const CHILD = `
  import * as tf from '@tensorflow/tfjs-core';
  import '@tensorflow/tfjs-backend-cpu';
  import { createViT } from '@tfjs-vit/models';
  import { saveOnnx, saveSafetensors, saveTfjsModel, writeFileAtomic } from './dist/index.js';
  const [kind, path] = process.argv.slice(-2);
  await tf.setBackend('cpu');
  if (kind === 'safetensors') {
    const big = new Map(Array.from({ length: 48 }, (_, i) => [\`w\${i}\`, tf.fill([1 << 20], i + 0.5)]));
    await saveSafetensors(big, path);
  } else if (kind === 'onnx') {
    await saveOnnx(createViT({ embedDim: 384, depth: 12, numHeads: 6 }), path);
  } else if (kind === 'tfjs') {
    await saveTfjsModel(createViT({ embedDim: 384, depth: 12, numHeads: 6 }), path, { shardBytes: 1 << 20 });
  } else {
    await writeFileAtomic(path, new Uint8Array(256 << 20).fill(7));
  }
  console.log('finished');
`;

/** Runs the child writer and SIGKILLs it as soon as a temporary file has bytes in `dir`. */
async function killMidWrite(kind: string, target: string, dir: string): Promise<{ killed: boolean; sawTemp: boolean; stdout: string }> {
  if (!existsSync(join(pkg, 'dist', 'index.js'))) throw new Error('packages/convert/dist is not built: npm run build -w @tfjs-vit/convert (npm test builds it first)');
  const r = await killWhen(CHILD, [kind, target], pkg, () => readdirSync(dir).some((f) => f.endsWith('.tmp') && statSync(join(dir, f)).size > 0));
  if (!r.triggered) throw new Error(`the writer ended before it was killed: ${r.stderr.slice(-1000)}`);
  return { killed: r.killed, sawTemp: r.triggered, stdout: r.stdout };
}

/** Every file of `dir` but the temporary ones, with its bytes. */
function snapshot(dir: string): Map<string, Buffer> {
  return new Map(readdirSync(dir).filter((f) => !f.endsWith('.tmp')).sort().map((f) => [f, readFileSync(join(dir, f))]));
}

describe('atomic writes', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('openAtomicFile: nothing under the final name until commit; abort removes the temporary file', async () => {
    const fs = await import('node:fs');
    const dir = mkdtempSync(join(tmpdir(), 'tfjs-vit-atomic-'));
    const path = join(dir, 'a.bin');
    writeFileSync(path, 'old');
    const f = openAtomicFile(fs, path);
    f.write(new Uint8Array([1, 2, 3]));
    expect(readFileSync(path, 'utf8')).toBe('old');
    f.abort();
    expect(readdirSync(dir)).toEqual(['a.bin']);
    await writeFileAtomic(join(dir, 'sub', 'b.txt'), 'new');
    expect(readFileSync(join(dir, 'sub', 'b.txt'), 'utf8')).toBe('new');
  });

  it('saveSafetensors killed mid-write leaves the previous file intact', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tfjs-vit-atomic-st-'));
    const path = join(dir, 'model.safetensors');
    const old = new Map([['w', tf.tensor([1, 2, 3])]]);
    await saveSafetensors(old, path);
    const before = readFileSync(path);
    expect(Buffer.from(serializeSafetensors(old)).equals(before)).toBe(true);
    tf.dispose([...old.values()]);
    const r = await killMidWrite('safetensors', path, dir);
    expect(r).toMatchObject({ killed: true, sawTemp: true, stdout: '' });
    expect(snapshot(dir)).toEqual(new Map([['model.safetensors', before]]));
  });

  it('saveOnnx killed mid-write leaves the previous file intact', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tfjs-vit-atomic-onnx-'));
    const path = join(dir, 'model.onnx');
    const small = createViT({ imgSize: 32, patchSize: 8, embedDim: 32, depth: 1, numHeads: 4, numClasses: 10 });
    await saveOnnx(small, path);
    small.dispose();
    const before = readFileSync(path);
    const r = await killMidWrite('onnx', path, dir);
    expect(r).toMatchObject({ killed: true, sawTemp: true, stdout: '' });
    expect(snapshot(dir)).toEqual(new Map([['model.onnx', before]]));
  });

  it('saveTfjsModel killed mid-write leaves the previous model.json and shards intact', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tfjs-vit-atomic-web-'));
    const small = createViT({ imgSize: 32, patchSize: 8, embedDim: 32, depth: 2, numHeads: 4, numClasses: 10 });
    await saveTfjsModel(small, dir, { shardBytes: 1 << 20 });
    small.dispose();
    const before = snapshot(dir);
    const r = await killMidWrite('tfjs', dir, dir);
    expect(r).toMatchObject({ killed: true, sawTemp: true, stdout: '' });
    expect(snapshot(dir)).toEqual(before);
  });

  it('writeFileAtomic (results files) killed mid-write leaves the previous file intact', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tfjs-vit-atomic-txt-'));
    const path = join(dir, 'results.json');
    writeFileSync(path, '{"previous": true}');
    const r = await killMidWrite('text', path, dir);
    expect(r).toMatchObject({ killed: true, sawTemp: true, stdout: '' });
    expect(snapshot(dir)).toEqual(new Map([['results.json', Buffer.from('{"previous": true}')]]));
  });
});
