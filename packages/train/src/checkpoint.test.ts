import { existsSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { describeBackends, maxAbsDiff } from '@tfjs-vit/testing';
import { afterAll, expect, it } from 'vitest';
import { AdamW } from './adamw';
import { loadCheckpoint, saveCheckpoint } from './checkpoint';
import { TrainingCheckpointError } from './errors';
import { paramGroupsWeightDecay } from './param_groups';
import { decodeSafetensors, encodeSafetensors } from './safetensors_io';
import { TinyMLP } from './test_model';

const root = mkdtempSync(join(tmpdir(), 'tfjs-vit-ckpt-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function stepOnce(model: TinyMLP, opt: AdamW, scale: number) {
  const grads: tf.NamedTensorMap = {};
  for (const v of opt.variables()) grads[v.name] = tf.fill(v.shape, scale);
  opt.step(grads);
  tf.dispose(Object.values(grads));
}

const params = (m: TinyMLP) => m.namedParameters().map(([n, p]) => [n, Float32Array.from(p.variable.dataSync())] as const);

describeBackends('checkpoints', (backend) => {
  it('safetensors round trip keeps values, dtypes and metadata', async () => {
    const t = new Map<string, tf.Tensor>([
      ['a', tf.tensor2d([[1.5, -2], [3, 4]])],
      ['b', tf.tensor1d([7, -8, 9], 'int32')],
    ]);
    const { tensors, metadata } = decodeSafetensors(await encodeSafetensors(t, { k: 'v' }));
    expect(metadata).toEqual({ k: 'v' });
    expect(tensors.get('b')!.dtype).toBe('int32');
    expect(tensors.get('a')!.shape).toEqual([2, 2]);
    expect(maxAbsDiff(tensors.get('a')!, t.get('a')!)).toBe(0);
    expect(Array.from(tensors.get('b')!.dataSync())).toEqual([7, -8, 9]);
    expect(() => decodeSafetensors(new Uint8Array(4))).toThrow(TrainingCheckpointError);
  });

  it('save → load restores model and optimizer so training continues identically', async () => {
    const dir = join(root, backend, 'a');
    const a = new TinyMLP();
    const optA = new AdamW(paramGroupsWeightDecay(a, 0.05), { lr: 0.01 });
    stepOnce(a, optA, 0.3);
    stepOnce(a, optA, -0.1);
    await saveCheckpoint(dir, { model: a, optimizer: optA, step: 2, epoch: 1, seed: 42, extra: { best: 0.5 } });
    expect(readdirSync(dir).sort()).toEqual(['model.safetensors', 'optimizer.safetensors', 'trainer.json']);

    const b = new TinyMLP(6, 8, 3, 99); // different init
    const optB = new AdamW(paramGroupsWeightDecay(b, 0.05), { lr: 0.5 });
    const before = tf.memory().numTensors;
    const info = await loadCheckpoint(dir, { model: b, optimizer: optB });
    expect(tf.memory().numTensors - before).toBe(5 * 2); // exp_avg + exp_avg_sq per parameter, nothing else
    expect(info).toEqual({ step: 2, epoch: 1, batchInEpoch: 0, seed: 42, extra: { best: 0.5 } });
    expect(optB.paramGroups.map((g) => g.lr)).toEqual(optA.paramGroups.map((g) => g.lr));
    stepOnce(a, optA, 0.2);
    stepOnce(b, optB, 0.2);
    const pa = params(a);
    const pb = params(b);
    pa.forEach(([n, v], i) => expect(maxAbsDiff(v, pb[i][1]), n).toBe(0));
    a.dispose();
    b.dispose();
    optA.dispose();
    optB.dispose();
  });

  it('a failure mid-write keeps the previous checkpoint; a crash between renames falls back to .old', async () => {
    const dir = join(root, backend, 'b');
    const m = new TinyMLP();
    await saveCheckpoint(dir, { model: m, step: 1, epoch: 0 });
    const first = params(m);
    tf.tidy(() => m.fc1.weight.variable.assign(tf.zerosLike(m.fc1.weight.variable)));
    await expect(
      saveCheckpoint(dir, { model: m, step: 2, epoch: 0 }, { beforeCommit: () => { throw new Error('disk full'); } }),
    ).rejects.toThrow('disk full');
    expect(readdirSync(join(root, backend)).filter((n) => n.includes('tmp'))).toEqual([]); // temp removed
    const fresh = new TinyMLP(6, 8, 3, 5);
    expect((await loadCheckpoint(dir, { model: fresh })).step).toBe(1);
    params(fresh).forEach(([n, v], i) => expect(maxAbsDiff(v, first[i][1]), n).toBe(0));

    renameSync(dir, `${dir}.old`); // the state a crash after the first rename leaves
    expect((await loadCheckpoint(dir, { model: fresh })).step).toBe(1);
    await saveCheckpoint(dir, { model: m, step: 3, epoch: 0 });
    expect(existsSync(`${dir}.old`)).toBe(false);
    expect((await loadCheckpoint(dir)).step).toBe(3);
    m.dispose();
    fresh.dispose();
  });

  it('typed errors for a missing directory, missing optimizer state, mismatched model', async () => {
    const dir = join(root, backend, 'c');
    const m = new TinyMLP();
    await saveCheckpoint(dir, { model: m, step: 0, epoch: 0 });
    await expect(loadCheckpoint(join(root, 'nope'))).rejects.toBeInstanceOf(TrainingCheckpointError);
    const opt = new AdamW(m.trainableVariables());
    await expect(loadCheckpoint(dir, { optimizer: opt })).rejects.toThrow(/no optimizer state/);
    const other = new TinyMLP(6, 5, 3);
    await expect(loadCheckpoint(dir, { model: other })).rejects.toThrow(/fc1.weight: expected \[5, 6\], got \[8, 6\]/);
    m.dispose();
    other.dispose();
  });
});
