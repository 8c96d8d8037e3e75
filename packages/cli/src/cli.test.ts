import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { loadModel, readCheckpoint, saveSafetensors } from '@tfjs-vit/convert';
import { createViT } from '@tfjs-vit/models';
import { maxAbsDiff } from '@tfjs-vit/testing';
import { beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const pkg = join(root, 'packages/cli');

/** Runs `node args…` without blocking the test worker (a long synchronous spawn starves vitest's RPC). */
function run(args: string[], cwd: string, timeout = 120_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd, timeout });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** Runs the CLI from source through vite-node (siblings resolved from src, no build needed). */
function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return run([join(root, 'node_modules/vite-node/vite-node.mjs'), '-c', join(pkg, 'vitest.config.ts'), join(pkg, 'src/cli.ts'), ...args], root);
}

const dir = mkdtempSync(join(tmpdir(), 'tfjs-vit-cli-'));
const ckpt = join(dir, 'tiny.safetensors');
const cfg = { imgSize: 32, patchSize: 8, embedDim: 64, depth: 2, numHeads: 1, numClasses: 10 } as const;
let want: Float32Array;
const x = () => tf.randomUniform([2, 32, 32, 3], -1, 1, 'float32', 3);

describe('tfjs-vit CLI (spawned)', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
    const model = createViT(cfg).eval();
    await saveSafetensors(model, ckpt, { metadata: { format: 'pt' } });
    const input = x();
    const y = model.forward(input);
    want = Float32Array.from(y.dataSync() as Float32Array);
    tf.dispose([input, y]);
    model.dispose();
  });

  it('convert → tfjs: prints the detected format, inferred architecture and key report; the output loads with identical logits', async () => {
    const out = join(dir, 'web');
    const r = await cli('convert', ckpt, '--out', out, '--backend', 'cpu');
    expect(r.stderr + r.stdout, r.stderr).toMatch(/backend: cpu/);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/input: .*tiny\.safetensors \(safetensors, .*, \d+ tensors\)/);
    expect(r.stdout).toMatch(/architecture: inferred \(embedDim 64, depth 2, heads 1, patch 8x8, img 32x32/);
    expect(r.stdout).toMatch(/keys: 0 missing, 0 unexpected, 0 mismatched, 0 dropped/);
    expect(r.stdout).toMatch(/wrote: .*model\.json \+ 1 shard/);
    expect(r.stderr).toMatch(/reading: 100%/); // plain progress lines: stderr is a pipe here
    const model = await loadModel(out);
    const input = x();
    const y = model.forward(input);
    expect(maxAbsDiff(y, want)).toBe(0);
    tf.dispose([input, y]);
    model.dispose();
  });

  it('--wasm-threads: wasm on 2 threads says so and converts to the same bytes as 1 thread; 0 is refused', async () => {
    const [two, one] = await Promise.all([
      cli('convert', ckpt, '--out', join(dir, 'web-t2'), '--backend', 'wasm', '--wasm-threads', '2'),
      cli('convert', ckpt, '--out', join(dir, 'web-t1'), '--backend', 'wasm', '--wasm-threads', '1'),
    ]);
    expect(two.code, two.stderr).toBe(0);
    expect(two.stdout).toMatch(availableParallelism() >= 2 ? /backend: wasm \(2 threads\)/ : /backend: wasm \(1 thread\)/);
    expect(one.stdout).toMatch(/backend: wasm \(1 thread\)/);
    expect(readFileSync(join(dir, 'web-t2', 'group1-shard1of1.bin')).equals(readFileSync(join(dir, 'web-t1', 'group1-shard1of1.bin')))).toBe(true);
    const bad = await cli('convert', ckpt, '--out', join(dir, 'x'), '--wasm-threads', '0');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/--wasm-threads must be an integer ≥ 1, got '0'/);
  });

  it('convert --dtype uint8 → tfjs shards a quarter of the float32 size that load with logits close to float32', async () => {
    const out = join(dir, 'web-u8');
    const r = await cli('convert', ckpt, '--out', out, '--dtype', 'uint8', '--backend', 'cpu');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/wrote: .*model\.json \+ 1 shard .*uint8\)/);
    const f32 = statSync(join(dir, 'web', 'group1-shard1of1.bin')).size;
    expect(statSync(join(out, 'group1-shard1of1.bin')).size * 4).toBe(f32);
    const model = await loadModel(out);
    const input = x();
    const y = model.forward(input);
    const d = maxAbsDiff(y, want);
    expect(d).toBeGreaterThan(0);
    expect(d).toBeLessThanOrEqual(0.05 * Math.max(...Array.from(want, Math.abs)));
    tf.dispose([input, y]);
    model.dispose();
    const bad = await cli('convert', ckpt, '--out', join(dir, 'u8.safetensors'), '--dtype', 'uint8', '--backend', 'cpu');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/--dtype uint8 is only for --format tfjs/);
  });

  it('convert → float16 safetensors with a new head (--num-classes) and a resampled grid (--img-size)', async () => {
    const out = join(dir, 'st/');
    const r = await cli('convert', ckpt, '--out', out, '--format', 'safetensors', '--dtype', 'float16', '--num-classes', '5', '--img-size', '48', '--backend', 'cpu');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/dropped: head\.weight, head\.bias|dropped: head\.bias, head\.weight/);
    expect(r.stdout).toMatch(/pos_embed: resampled 17 → 37 tokens/);
    const { tensors, meta } = await readCheckpoint(join(out, 'model.safetensors'));
    expect(meta.metadata).toEqual({ format: 'pt' });
    expect(tensors.get('head.weight')!.shape).toEqual([5, 64]);
    expect(tensors.get('pos_embed')!.shape).toEqual([1, 37, 64]);
    tf.dispose([...tensors.values()]);
  });

  it('convert → ONNX (.onnx extension picks the format) that onnxruntime-node runs with our logits', async () => {
    const out = join(dir, 'tiny.onnx');
    const r = await cli('convert', ckpt, '--out', out, '--backend', 'cpu');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/wrote: .*tiny\.onnx .*opset 17, input pixel_values NCHW/);
    const ort = await import('onnxruntime-node');
    const session = await ort.InferenceSession.create(out);
    const input = tf.transpose(x(), [0, 3, 1, 2]);
    const res = await session.run({ pixel_values: new ort.Tensor('float32', Float32Array.from(input.dataSync() as Float32Array), input.shape) });
    expect(maxAbsDiff(res.logits.data as Float32Array, want)).toBeLessThanOrEqual(1e-4);
    input.dispose();
    await session.release();
  });

  it('reads a torchvision .pth (torch zip) with --num-heads, and refuses a pickle that asks for os.system', async () => {
    const fixtures = join(root, 'packages/convert/fixtures');
    const noHeads = await cli('convert', join(fixtures, 'mapping_torchvision.pth'), '--out', join(dir, 'tv0'), '--backend', 'cpu');
    expect(noHeads.code).toBe(1);
    expect(noHeads.stderr).toMatch(/error CHECKPOINT_UNKNOWN_ARCH: .*numHeads[\s\S]*hint: pass --num-heads/);
    const tv = await cli('convert', join(fixtures, 'mapping_torchvision.pth'), '--out', join(dir, 'tv'), '--num-heads', '2', '--backend', 'cpu');
    expect(tv.code, tv.stderr).toBe(0);
    expect(tv.stdout).toMatch(/input: .*mapping_torchvision\.pth \(torch-zip, /);
    expect(tv.stdout).toMatch(/architecture: inferred \(embedDim 16, depth 2, heads 2, patch 4x4/);
    expect(tv.stdout).toMatch(/layout: torchvision/);
    expect(tv.stdout).not.toMatch(/Hi, looks like/);
    const evil = await cli('convert', join(fixtures, 'malicious.pth'), '--out', join(dir, 'evil'), '--backend', 'cpu');
    expect(evil.code).toBe(1);
    expect(evil.stderr).toMatch(/error CHECKPOINT_UNSAFE_GLOBAL: pickle asks for global posix\.system/);
    expect(existsSync(join(dir, 'evil'))).toBe(false);
  });

  it('models [filter] lists registered models with parameter counts', async () => {
    const r = await cli('models', 'vit_tiny*');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^model\s+params$/m);
    expect(r.stdout).toMatch(/^vit_tiny_patch16_224\s+5\.7M$/m);
    expect(r.stdout).toMatch(/^vit_tiny_r_s16_p8_224\s+6\.3M$/m); // a hybrid: its ResNet stem counted (timm: 6,337,704)
    expect(r.stdout).not.toMatch(/vit_base/);
  });

  it('fails with exit code 1 and a typed message on bad input, a missing file or a bad flag', async () => {
    const junk = join(dir, 'junk.pth');
    writeFileSync(junk, 'not a checkpoint at all');
    const bad = await cli('convert', junk, '--out', join(dir, 'x'), '--backend', 'cpu');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/error CHECKPOINT_/);
    const missing = await cli('convert', join(dir, 'nope.pth'), '--out', join(dir, 'x'), '--backend', 'cpu');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/nope\.pth/);
    const flag = await cli('convert', ckpt, '--out', join(dir, 'x.onnx'), '--dtype', 'float16', '--backend', 'cpu');
    expect(flag.code).toBe(1);
    expect(flag.stderr).toMatch(/float16 is not supported with --format onnx/);
    expect((await cli('convert', ckpt)).code).toBe(1); // --out is required
    expect(existsSync(join(dir, 'x'))).toBe(false);
  });
});

const distReady = ['ops', 'layers', 'models', 'convert'].every((p) => existsSync(join(root, `packages/${p}/dist/index.js`)));

describe.skipIf(!distReady)('tfjs-vit bin (built dist)', () => {
  it('node dist/cli.js runs after tsup', async () => {
    const build = await run([join(root, 'node_modules/tsup/dist/cli-default.js')], pkg);
    expect(build.code, build.stderr).toBe(0);
    expect(readdirSync(join(pkg, 'dist'))).toContain('cli.js');
    const r = await run([join(pkg, 'dist/cli.js'), 'models', 'vit_base_patch16_224'], root, 60_000);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/vit_base_patch16_224\s+86\.6M/);
  });
});
