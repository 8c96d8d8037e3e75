// The threaded wasm binary in Node, through the built package (dist/, tfjs kept external), in child
// processes: a process initialises wasm once, so each thread count gets its own. The speedup is a
// bench figure (`npm run bench -w @tfjs-vit/ops`), never asserted here.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initWasmThreads } from './wasm_threads';

const child = fileURLToPath(new URL('./wasm_threads.testchild.mjs', import.meta.url));
const dist = fileURLToPath(new URL('../dist/index.js', import.meta.url));
type Run = { code: number; ms: number; out: { backend: string; threads: number; reason: string; values: number[] } | null; stderr: string };

function run(threads: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const p = spawn(process.execPath, [child, threads], { timeout: 120_000 });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('error', reject);
    p.on('close', (code) => {
      const line = stdout.split('\n').find((l) => l.startsWith('{'));
      resolve({ code: code ?? -1, ms: Date.now() - t0, out: line ? JSON.parse(line) : null, stderr });
    });
  });
}

describe('wasm threads in Node (built dist)', () => {
  let one: Run;
  beforeAll(async () => {
    if (!existsSync(dist)) throw new Error('packages/ops/dist is not built: npm run build -w @tfjs-vit/ops (npm test builds it first)');
    one = await run('1');
    expect(one.code, one.stderr).toBe(0);
  });

  it('one thread: plain tfjs behaviour', () => {
    expect(one.out!.backend).toBe('wasm');
    expect(one.out!.threads).toBe(1);
  });

  it.skipIf(availableParallelism() < 2)('two threads: getThreadsCount() is 2, outputs equal the one-thread ones bit for bit, and the process exits by itself', async () => {
    const two = await run('2');
    expect(two.code, two.stderr).toBe(0); // a ref'd pthread worker would keep it alive until the timeout kills it
    expect(two.out!.threads, two.out!.reason).toBe(2);
    expect(two.out!.reason).toMatch(/2 threads/);
    expect(two.out!.values).toHaveLength(197 * 768);
    expect(two.out!.values).toEqual(one.out!.values);
  });

  it("'auto' takes one thread per core (at most 8)", async () => {
    const auto = await run('auto');
    expect(auto.code, auto.stderr).toBe(0);
    expect(auto.out!.threads).toBe(Math.min(availableParallelism(), 8));
  });
});

describe('initWasmThreads in a process where wasm already runs', () => {
  it('keeps the thread count it has and says why; a bad count is an ArgumentError', async () => {
    await tf.setBackend('wasm');
    const r = await initWasmThreads(2);
    expect(r.reason).toMatch(/already initialised/);
    expect(r.threads).toBe(1); // tfjs' own choice in Node
    await expect(initWasmThreads(0)).rejects.toThrow(/positive integer or 'auto', got 0/);
    await expect(initWasmThreads(1.5)).rejects.toThrow(/got 1.5/);
  });
});
