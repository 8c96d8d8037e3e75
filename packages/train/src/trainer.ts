// The training loop: fit / evaluate / predict over async batch sources, with schedules, clipping,
// accumulation, EMA, callbacks, progress, JSONL/CSV logs, a curve SVG and atomic checkpoints.
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tfjs-vit/ops/gradients';
import { ArgumentError } from '@tfjs-vit/ops';
import { writeFileAtomic } from '@tfjs-vit/convert';
import { iterateBatches, knownLength, ownsBatches, setSourceEpoch } from './batch_source';
import type { BatchLog, Callback, EpochLog } from './callbacks';
import { loadCheckpoint, saveCheckpoint } from './checkpoint';
import { clipGradNorm } from './clip_grad';
import { crossEntropyLoss, type LossFn } from './cross_entropy';
import { trainingCurveSvg } from './curve_svg';
import type { ModelEma } from './ema';
import { NonFiniteLossError } from './errors';
import { GradientAccumulator } from './grad_accumulation';
import { CsvLogger, TRAINER_CSV_COLUMNS } from './csv_log';
import { JsonlLogger } from './metric_log';
import type { Optimizer } from './optimizer';
import { ProgressPrinter, type ProgressOptions } from './progress';
import type { Schedule } from './schedules';
import { lossAndGradients } from './train_step';
import type { BatchSource, TrainableModel } from './types';
import { evaluateModel, type EvalResult, predictModel } from './evaluate';

/** Options of `Trainer`. */
export interface TrainerOptions {
  model: TrainableModel;
  optimizer: Optimizer;
  train: BatchSource;
  epochs: number;
  /** Default: cross-entropy without smoothing. */
  loss?: LossFn;
  /** Learning rate per optimizer update (t = 0, 1, …); without it the optimizer's lr is kept. */
  schedule?: Schedule;
  val?: BatchSource;
  callbacks?: Callback[];
  /** Where metrics.jsonl, metrics.csv, curve.svg and checkpoints (`last/`) go. Nothing is written without it. */
  logDir?: string;
  /** Micro-batches per optimizer update (default 1). */
  gradAccumSteps?: number;
  /** Clip gradients to this global 2-norm before each update. */
  clipGradNorm?: number;
  /** Updated after every optimizer step; saved in checkpoints. */
  ema?: ModelEma;
  /**
   * Checkpoints to `logDir/last`: 'epoch' (default) after every epoch; a number N also every N
   * optimizer updates (mid-epoch, resumable at that batch); false never.
   */
  checkpointEvery?: 'epoch' | number | false;
  /** Recorded in checkpoints (the seed of your data order / init). */
  seed?: number;
  /** Progress output; false for none. */
  progress?: ProgressOptions | false;
  /** Batches between JSONL/CSV batch records and curve points (default 10). */
  logEvery?: number;
}

/**
 * Trains a model. `train` / `val` are async iterables of `{images, labels}` (the transforms
 * DataLoader), arrays of batches, or factories returning a fresh iterable per epoch.
 *
 * @example
 * ```ts
 * const optimizer = new AdamW(paramGroupsWeightDecay(model, 0.05), { lr: 1e-3 });
 * const trainer = new Trainer({ model, optimizer, train, val, epochs: 10, logDir: 'runs/a',
 *   schedule: cosineSchedule({ baseLr: 1e-3, tInitial: 10 * stepsPerEpoch, warmupT: 100 }),
 *   callbacks: [earlyStopping({ patience: 3 }), bestCheckpoint({ dir: 'runs/a/best' })] });
 * const history = await trainer.fit();
 * ```
 */
export class Trainer {
  readonly model: TrainableModel;
  readonly optimizer: Optimizer;
  readonly ema: ModelEma | undefined;
  readonly seed: number | undefined;
  /** Optimizer updates done (the schedule's next t). */
  step = 0;
  /** Set by a callback to end `fit()` after the current batch. */
  stopTraining = false;
  /** One entry per finished epoch (restored by `resume`). */
  history: EpochLog[] = [];
  /** Train-loss points between epoch ends (mean of the last `logEvery` batches, x in epochs) for the curve. */
  curve: { epoch: number; trainLoss: number }[] = [];
  /** The directory of the last checkpoint written by this trainer (or resumed from). */
  lastCheckpoint: string | undefined;
  private readonly o: TrainerOptions;
  private readonly loss: LossFn;
  private startEpoch = 0;
  private skipBatches = 0;
  private partial = { lossSum: 0, correct: 0, seen: 0 };

  constructor(options: TrainerOptions) {
    if (!(Number.isInteger(options.epochs) && options.epochs >= 0)) throw new ArgumentError(`epochs: expected an integer ≥ 0, got ${options.epochs}`);
    const accum = options.gradAccumSteps ?? 1;
    if (!(Number.isInteger(accum) && accum >= 1)) throw new ArgumentError(`gradAccumSteps: expected an integer ≥ 1, got ${accum}`);
    this.o = options;
    this.model = options.model;
    this.optimizer = options.optimizer;
    this.ema = options.ema;
    this.seed = options.seed;
    this.loss = options.loss ?? crossEntropyLoss();
  }

  /** Loads `dir` (model, optimizer, EMA, step, epoch, history); the next `fit()` continues from there. */
  async resume(dir: string): Promise<void> {
    const info = await loadCheckpoint(dir, { model: this.model, optimizer: this.optimizer, ema: this.ema });
    this.step = info.step;
    this.startEpoch = info.epoch;
    this.skipBatches = info.batchInEpoch ?? 0;
    const extra = (info.extra ?? {}) as { history?: EpochLog[]; partial?: Trainer['partial']; curve?: Trainer['curve'] };
    this.history = extra.history ?? [];
    this.curve = extra.curve ?? [];
    this.partial = extra.partial ?? { lossSum: 0, correct: 0, seen: 0 };
    this.lastCheckpoint = dir;
  }

  private async checkpoint(epoch: number, batchInEpoch: number): Promise<void> {
    if (!this.o.logDir) return;
    const dir = join(this.o.logDir, 'last');
    await saveCheckpoint(dir, {
      model: this.model, optimizer: this.optimizer, ema: this.ema, step: this.step, epoch, batchInEpoch, seed: this.seed,
      extra: { history: this.history, partial: this.partial, curve: this.curve },
    });
    this.lastCheckpoint = dir;
  }

  private applyUpdate(acc: GradientAccumulator): void {
    let grads = acc.take();
    if (this.o.clipGradNorm !== undefined) {
      const clipped = clipGradNorm(grads, this.o.clipGradNorm);
      tf.dispose(grads);
      grads = clipped.grads;
    }
    this.optimizer.step(grads);
    tf.dispose(grads);
    this.ema?.update(this.model);
    this.step += 1;
  }

  /** Runs the remaining epochs; returns the history. Throws NonFiniteLossError on a NaN/Inf loss. */
  async fit(): Promise<EpochLog[]> {
    const o = this.o;
    const accum = o.gradAccumSteps ?? 1;
    const every = o.checkpointEvery ?? 'epoch';
    const callbacks = o.callbacks ?? [];
    const progress = o.progress === false ? undefined : new ProgressPrinter(o.progress);
    const jsonl = o.logDir ? new JsonlLogger(join(o.logDir, 'metrics.jsonl')) : undefined;
    const csv = o.logDir ? new CsvLogger(join(o.logDir, 'metrics.csv'), TRAINER_CSV_COLUMNS) : undefined;
    const batches = knownLength(o.train);
    const logEvery = o.logEvery ?? 10;
    const owns = ownsBatches(o.train);
    this.stopTraining = false;
    try {
      for (const cb of callbacks) await cb.onTrainBegin?.(this);
      for (let epoch = this.startEpoch; epoch < o.epochs && !this.stopTraining; epoch++) {
        for (const cb of callbacks) await cb.onEpochBegin?.(epoch, this);
        this.model.train();
        const acc = new GradientAccumulator();
        setSourceEpoch(o.train, epoch);
        const t0 = performance.now();
        let images = 0;
        let b = -1;
        const recent: number[] = [];
        for await (const batch of iterateBatches(o.train)) {
          b += 1;
          if (b < this.skipBatches) {
            if (owns) tf.dispose([batch.images, batch.labels]);
            continue;
          }
          try {
            if (o.schedule && acc.count === 0) this.optimizer.setLearningRate(o.schedule(this.step));
            const r = lossAndGradients(this.model, this.loss, batch.images, batch.labels, this.optimizer.variables(), 1 / accum);
            const loss = (await r.loss.data())[0];
            const correct = countCorrect(r.logits, batch.labels);
            tf.dispose([r.loss, r.logits]);
            if (!Number.isFinite(loss)) {
              tf.dispose(r.grads);
              acc.reset();
              throw new NonFiniteLossError(this.step, epoch, loss, this.lastCheckpoint);
            }
            acc.add(r.grads);
            tf.dispose(r.grads);
            const n = batch.images.shape[0];
            images += n;
            this.partial.lossSum += loss * n;
            this.partial.correct += correct;
            this.partial.seen += n;
            if (acc.count === accum) this.applyUpdate(acc);
            const log: BatchLog = {
              epoch, batch: b, step: this.step, loss, accuracy: correct / n, lr: this.optimizer.learningRate,
              imagesPerSec: images / ((performance.now() - t0) / 1000),
            };
            progress?.batch({ ...log, epochs: o.epochs, batches, accuracy: this.partial.correct / this.partial.seen });
            recent.push(loss);
            if ((b + 1) % logEvery === 0) {
              jsonl?.write({ type: 'batch', ...log });
              csv?.write({ type: 'batch', ...log });
              if (batches) this.curve.push({ epoch: epoch + (b + 1) / batches, trainLoss: recent.reduce((x, y) => x + y, 0) / recent.length });
              recent.length = 0;
            }
            for (const cb of callbacks) await cb.onBatchEnd?.(log, this);
            if (typeof every === 'number' && acc.count === 0 && this.step % every === 0) await this.checkpoint(epoch, b + 1);
          } finally {
            if (owns) tf.dispose([batch.images, batch.labels]);
          }
          if (this.stopTraining) break;
        }
        if (acc.count > 0) this.applyUpdate(acc); // a last, partial accumulation
        this.skipBatches = 0;
        this.startEpoch = epoch + 1; // a later fit() continues after this epoch
        const seconds = (performance.now() - t0) / 1000;
        const log: EpochLog = {
          epoch, step: this.step,
          trainLoss: this.partial.lossSum / Math.max(1, this.partial.seen),
          trainAcc: this.partial.correct / Math.max(1, this.partial.seen),
          lr: this.optimizer.learningRate, imagesPerSec: images / seconds, seconds,
        };
        this.partial = { lossSum: 0, correct: 0, seen: 0 };
        if (o.val) {
          const v = await this.evaluate(o.val);
          Object.assign(log, { valLoss: v.loss, valAcc: v.top1, valTop5: v.top5 });
        }
        this.history.push(log);
        jsonl?.write({ type: 'epoch', ...log });
        csv?.write({ type: 'epoch', ...log });
        progress?.line(formatEpoch(log, o.epochs));
        if (every !== false && o.logDir) await this.checkpoint(epoch + 1, 0);
        for (const cb of callbacks) await cb.onEpochEnd?.(log, this);
      }
      for (const cb of callbacks) await cb.onTrainEnd?.(this.history, this);
      return this.history;
    } finally {
      if (o.logDir && this.history.length) {
        const points = [...this.curve, ...this.history.map((h) => ({ ...h, epoch: h.epoch + 1 }))].sort((p, q) => p.epoch - q.epoch);
        await writeFileAtomic(join(o.logDir, 'curve.svg'), trainingCurveSvg(points));
      }
    }
  }

  /** Loss, top-1 / top-5 accuracy and confusion matrix of the model (in eval mode) on `source`. */
  async evaluate(source: BatchSource | undefined = this.o.val): Promise<EvalResult> {
    if (!source) throw new ArgumentError('evaluate: no source given and no `val` source set');
    return evaluateModel(this.model, source, this.loss);
  }

  /** Logits of the model (in eval mode) for a tensor of images or every batch of a source, concatenated. */
  async predict(input: tf.Tensor | BatchSource): Promise<tf.Tensor> {
    return predictModel(this.model, input);
  }
}

function countCorrect(logits: tf.Tensor, labels: tf.Tensor): number {
  const t = tf.tidy(() => {
    const truth = labels.rank === 2 ? tf.argMax(labels, 1) : tf.cast(labels, 'int32');
    return tf.sum(tf.cast(tf.equal(tf.cast(tf.argMax(logits, 1), 'int32'), tf.cast(truth, 'int32')), 'int32'));
  });
  const n = t.dataSync()[0];
  t.dispose();
  return n;
}

function formatEpoch(l: EpochLog, epochs: number): string {
  const val = l.valLoss !== undefined ? ` val loss ${l.valLoss.toFixed(4)} val acc ${(l.valAcc! * 100).toFixed(2)}%` : '';
  return `epoch ${l.epoch + 1}/${epochs} train loss ${l.trainLoss.toFixed(4)} acc ${(l.trainAcc * 100).toFixed(2)}%${val} lr ${l.lr.toExponential(2)} ${Math.round(l.imagesPerSec)} img/s ${l.seconds.toFixed(1)}s`;
}
