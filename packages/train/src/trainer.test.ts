import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { describeBackends, maxAbsDiff } from '@tfjs-vit/testing';
import { afterAll, expect, it } from 'vitest';
import { AdamW } from './adamw';
import { bestCheckpoint, earlyStopping, type BatchLog } from './callbacks';
import { loadCheckpoint } from './checkpoint';
import { ModelEma } from './ema';
import { NonFiniteLossError } from './errors';
import { paramGroupsWeightDecay } from './param_groups';
import { TRAINER_CSV_COLUMNS } from './csv_log';
import { constantSchedule, cosineSchedule } from './schedules';
import { SGD } from './sgd';
import { syntheticBatches, TinyMLP } from './test_model';
import { Trainer, type TrainerOptions } from './trainer';
import type { Batch } from './types';

const root = mkdtempSync(join(tmpdir(), 'tfjs-vit-trainer-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const quiet = { progress: false as const };

function setup(extra: Partial<TrainerOptions> = {}, seed = 1) {
  const model = new TinyMLP(6, 8, 3, seed);
  const optimizer = new AdamW(paramGroupsWeightDecay(model, 0.05), { lr: 0.05 });
  const train = syntheticBatches(6, 16);
  const val = syntheticBatches(2, 32, 6, 3, 7); // same labelling map (seed 7), other inputs below
  const trainer = new Trainer({ model, optimizer, train, val, epochs: 3, ...quiet, ...extra });
  return { model, optimizer, train, val, trainer };
}

const snapshot = (m: TinyMLP) => m.namedParameters().map(([n, p]) => [n, Float32Array.from(p.variable.dataSync())] as const);

describeBackends('Trainer', (backend) => {
  it('fit lowers the loss; evaluate / predict run in eval mode and restore the mode', async () => {
    const { model, trainer } = setup({ epochs: 5 });
    const history = await trainer.fit();
    expect(history.length).toBe(5);
    expect(history[4].trainLoss).toBeLessThan(history[0].trainLoss * 0.7);
    expect(history[4].valAcc!).toBeGreaterThan(0.6);
    const ev = await trainer.evaluate();
    expect(ev.count).toBe(64);
    expect(ev.confusion.total).toBe(64);
    expect(ev.top1).toBeCloseTo(ev.confusion.accuracy(), 10);
    expect(ev.top5).toBe(1); // 3 classes
    const logits = await trainer.predict(syntheticBatches(2, 5));
    expect(logits.shape).toEqual([10, 3]);
    expect(model.training).toBe(true);
  });

  it('no tensor leaks across epochs (array and owned async sources)', async () => {
    const counts: number[] = [];
    const { trainer } = setup({ epochs: 4, callbacks: [{ onEpochEnd: () => void counts.push(tf.memory().numTensors) }] });
    await trainer.fit();
    expect(new Set(counts.slice(1)).size, `numTensors per epoch: ${counts}`).toBe(1);

    const model = new TinyMLP();
    const optimizer = new SGD(model.trainableVariables(), { lr: 0.1, momentum: 0.9 });
    const counts2: number[] = [];
    const source = () =>
      (async function* () {
        for (const b of syntheticBatches(3, 8)) yield b; // fresh tensors: the trainer disposes them
      })();
    const t2 = new Trainer({ model, optimizer, train: source, val: source, epochs: 4, ...quiet, callbacks: [{ onEpochEnd: () => void counts2.push(tf.memory().numTensors) }] });
    await t2.fit();
    expect(new Set(counts2).size, `numTensors per epoch: ${counts2}`).toBe(1);
  });

  it('frozen parameters get no gradient, no update and no optimizer state', async () => {
    const model = new TinyMLP();
    model.fc1.setTrainable(false);
    const optimizer = new AdamW(model.namedParameters().map(([name, p]) => ({ name, variable: p.variable })), { lr: 0.05 });
    const before = Float32Array.from(model.fc1.weight.value.dataSync());
    await new Trainer({ model, optimizer, train: syntheticBatches(3, 8), epochs: 2, ...quiet }).fit();
    expect(maxAbsDiff(model.fc1.weight.value, before)).toBe(0);
    expect(optimizer.statefulParams().sort()).toEqual(['fc2.bias', 'fc2.weight', 'pos_embed']);
  });

  it('callbacks: onBatchEnd per batch, early stopping, best checkpoint, EMA', async () => {
    const batches: BatchLog[] = [];
    const stop = earlyStopping({ monitor: 'trainLoss', patience: 1 });
    const dir = join(root, backend, 'best');
    const best = bestCheckpoint({ dir, monitor: 'valAcc' });
    const { model, trainer } = setup({
      epochs: 6,
      schedule: constantSchedule({ baseLr: 0 }), // nothing learns: the loss cannot improve after epoch 0
      callbacks: [{ onBatchEnd: (l) => void batches.push(l) }, stop, best],
    });
    const ema = new ModelEma(model, { decay: 0.5 });
    Object.assign(trainer, { ema });
    const history = await trainer.fit();
    expect(history.length).toBe(2);
    expect(stop.stoppedEpoch).toBe(1);
    expect(batches.map((b) => b.batch)).toEqual([0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5]);
    expect(batches.at(-1)!.step).toBe(12);
    expect(existsSync(join(dir, 'model.safetensors'))).toBe(true);
    expect(existsSync(join(dir, 'ema.safetensors'))).toBe(true);
    expect((await loadCheckpoint(dir)).extra!.valAcc).toBe(best.best);
  });

  it('writes metrics.jsonl, metrics.csv, curve.svg and plain progress lines when not a TTY', async () => {
    const logDir = join(root, backend, 'logs');
    const lines: string[] = [];
    const { trainer } = setup({ logDir, logEvery: 2, progress: { stream: { write: (s: string) => lines.push(s), isTTY: false }, every: 3 } });
    await trainer.fit();
    const records = readFileSync(join(logDir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(records.filter((r) => r.type === 'epoch').length).toBe(3);
    expect(records.filter((r) => r.type === 'batch').length).toBe(9);
    const csv = readFileSync(join(logDir, 'metrics.csv'), 'utf8').trim().split('\n').map((l) => l.split(','));
    expect(csv[0]).toEqual([...TRAINER_CSV_COLUMNS]);
    const rows = csv.slice(1).map((c) => Object.fromEntries(csv[0].map((k, i) => [k, c[i]])));
    expect(rows.length).toBe(records.length);
    rows.forEach((row, i) => {
      expect(row.type).toBe(records[i].type);
      for (const k of ['epoch', 'step', 'loss', 'trainLoss', 'valAcc', 'lr']) expect(row[k]).toBe(records[i][k] === undefined ? '' : String(records[i][k]));
    });
    expect(readFileSync(join(logDir, 'curve.svg'), 'utf8')).toMatch(/^<svg[\s\S]*<polyline[\s\S]*<\/svg>\n$/);
    expect(trainer.curve.map((p) => p.epoch.toFixed(3))).toEqual(['0.333', '0.667', '1.000', '1.333', '1.667', '2.000', '2.333', '2.667', '3.000']);
    expect(lines.every((l) => !l.includes('\r'))).toBe(true);
    expect(lines.filter((l) => l.startsWith('epoch 1/3 [')).length).toBe(2); // batches 3 and 6 of epoch 1
    expect(lines.some((l) => /^epoch 3\/3 train loss .* val acc/.test(l))).toBe(true);
    const tty: string[] = [];
    await setup({ epochs: 1, progress: { stream: { write: (s: string) => tty.push(s), isTTY: true }, tty: true } }).trainer.fit();
    expect(tty.filter((s) => s.startsWith('\r')).length).toBe(6);
  });

  it('a NaN loss stops with NonFiniteLossError, before the update, keeping the last good checkpoint', async () => {
    const logDir = join(root, backend, 'nan');
    const { model, train, trainer } = setup({ logDir, epochs: 3 });
    const poisoned: Batch[] = train.map((b, i) => (i === 2 ? { images: tf.fill(b.images.shape, Number.NaN), labels: b.labels } : b));
    await trainer.fit(); // 3 good epochs, checkpoint after each
    const good = snapshot(model);
    const t2 = new Trainer({ model, optimizer: trainer.optimizer, train: poisoned, epochs: 5, logDir, ...quiet });
    await t2.resume(join(logDir, 'last'));
    const err = await t2.fit().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NonFiniteLossError);
    expect((err as NonFiniteLossError).lastCheckpoint).toBe(join(logDir, 'last'));
    expect((err as NonFiniteLossError).epoch).toBe(3);
    const now = snapshot(model);
    for (const [, v] of now) expect(v.every(Number.isFinite)).toBe(true);
    const reloaded = new TinyMLP(6, 8, 3, 9);
    expect((await loadCheckpoint(join(logDir, 'last'), { model: reloaded })).epoch).toBe(3);
    snapshot(reloaded).forEach(([n, v], i) => expect(maxAbsDiff(v, good[i][1]), n).toBe(0));
  });

  it('resuming from a mid-epoch checkpoint reproduces the uninterrupted loss curve', async () => {
    const sched = cosineSchedule({ baseLr: 0.05, tInitial: 18, warmupT: 3, warmupLrInit: 0.001 });
    const run = async (logDir: string, crashAtStep?: number, resume = false, seed = 1) => {
      const losses: number[] = [];
      const { trainer } = setup(
        { logDir, schedule: sched, checkpointEvery: 4, clipGradNorm: 1, callbacks: [{ onBatchEnd: (l) => {
          losses.push(l.loss);
          if (l.step === crashAtStep) throw new Error('crash');
        } }] },
        seed,
      );
      if (resume) await trainer.resume(join(logDir, 'last'));
      const out = await trainer.fit().catch((e: Error) => e);
      return { losses, out, trainer };
    };
    const full = await run(join(root, backend, 'full'));
    const dir = join(root, backend, 'crash');
    const first = await run(dir, 10);
    expect((first.out as Error).message).toBe('crash');
    const second = await run(dir, undefined, true, 77); // other init: everything must come from the checkpoint
    expect(second.trainer.step).toBe(18);
    const resumedFrom = 8; // last checkpoint at step 8 (every 4 updates)
    expect(first.losses.length).toBe(10);
    expect(second.losses.length).toBe(18 - resumedFrom);
    const d = Math.max(...second.losses.map((l, i) => Math.abs(l - full.losses[resumedFrom + i])));
    expect(d, `max loss diff ${d}`).toBe(0);
    expect(second.trainer.history.map((h) => h.trainLoss)).toEqual(full.trainer.history.map((h) => h.trainLoss));
  });

  it('gradient accumulation over 2 micro-batches equals the full batch', async () => {
    const a = new TinyMLP();
    const b = new TinyMLP();
    const big = syntheticBatches(4, 16);
    const halves = big.flatMap(({ images, labels }) => [0, 8].map((s) => ({ images: tf.slice(images, [s, 0], [8, 6]), labels: tf.slice(labels, [s], [8]) })));
    await new Trainer({ model: a, optimizer: new AdamW(a.trainableVariables(), { lr: 0.02 }), train: big, epochs: 2, ...quiet }).fit();
    await new Trainer({ model: b, optimizer: new AdamW(b.trainableVariables(), { lr: 0.02 }), train: halves, epochs: 2, gradAccumSteps: 2, ...quiet }).fit();
    const sa = snapshot(a);
    snapshot(b).forEach(([n, v], i) => expect(maxAbsDiff(v, sa[i][1]), n).toBeLessThan(1e-6));
    expect(() => new Trainer({ model: a, optimizer: new SGD([]), train: big, epochs: 1, gradAccumSteps: 0 })).toThrow(/gradAccumSteps/);
  });
});

describeBackends(
  'Trainer with an epoch-aware source',
  () => {
    it('sets source.epoch before each epoch (as a resumed DataLoader needs)', async () => {
      const seen: number[] = [];
      const source = {
        epoch: 0,
        async *[Symbol.asyncIterator]() {
          seen.push(this.epoch);
          for (const b of syntheticBatches(1, 4)) yield b;
          this.epoch++;
        },
      };
      const model = new TinyMLP();
      const t = new Trainer({ model, optimizer: new SGD(model.trainableVariables()), train: source, epochs: 3, ...quiet });
      await t.fit();
      expect(seen).toEqual([0, 1, 2]);
      source.epoch = 0;
      seen.length = 0;
      Object.assign(t, { startEpoch: 2 }); // what resume() sets from a checkpoint taken after epoch 2
      await t.fit();
      expect(seen).toEqual([2]);
    });
  },
  ['cpu'],
);
