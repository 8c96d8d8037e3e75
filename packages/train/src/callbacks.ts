// Trainer callbacks: the hook interface, early stopping and best-checkpoint saving.
import { ArgumentError } from '@tfjs-vit/ops';
import { saveCheckpoint } from './checkpoint';
import type { Trainer } from './trainer';

/** The numbers of one finished batch (one forward/backward; `step` counts optimizer updates). */
export interface BatchLog {
  epoch: number;
  batch: number;
  step: number;
  loss: number;
  accuracy: number;
  lr: number;
  imagesPerSec: number;
}

/** The numbers of one finished epoch. Validation fields are present when a `val` source is given. */
export interface EpochLog {
  epoch: number;
  step: number;
  trainLoss: number;
  trainAcc: number;
  valLoss?: number;
  valAcc?: number;
  valTop5?: number;
  lr: number;
  imagesPerSec: number;
  seconds: number;
}

/**
 * Hooks called by `Trainer.fit()`. Set `trainer.stopTraining = true` to end the run after the
 * current batch / epoch. Hooks may be async.
 *
 * @example
 * ```ts
 * const log: Callback = { onEpochEnd: (e) => console.log(e.epoch, e.valAcc) };
 * ```
 */
export interface Callback {
  onTrainBegin?(trainer: Trainer): void | Promise<void>;
  onEpochBegin?(epoch: number, trainer: Trainer): void | Promise<void>;
  onBatchEnd?(log: BatchLog, trainer: Trainer): void | Promise<void>;
  onEpochEnd?(log: EpochLog, trainer: Trainer): void | Promise<void>;
  onTrainEnd?(history: EpochLog[], trainer: Trainer): void | Promise<void>;
}

/** A metric of `EpochLog` to watch. */
export type Monitor = 'valLoss' | 'valAcc' | 'valTop5' | 'trainLoss' | 'trainAcc';

/** Options shared by the monitoring callbacks. */
export interface MonitorOptions {
  /** Default 'valLoss'. */
  monitor?: Monitor;
  /** 'min' or 'max'; default: 'min' for losses, 'max' for accuracies. */
  mode?: 'min' | 'max';
  /** An improvement must exceed this (default 0). */
  minDelta?: number;
}

function improver(o: MonitorOptions) {
  const monitor = o.monitor ?? 'valLoss';
  const mode = o.mode ?? (monitor.endsWith('Loss') ? 'min' : 'max');
  const minDelta = o.minDelta ?? 0;
  let best = mode === 'min' ? Infinity : -Infinity;
  return {
    monitor,
    get best() {
      return best;
    },
    /** true if `log` improves on the best so far (and records it). */
    check(log: EpochLog): boolean {
      const v = log[monitor];
      if (v === undefined) throw new ArgumentError(`monitor "${monitor}": the epoch log has no such value (is a val source set?)`);
      const better = mode === 'min' ? v < best - minDelta : v > best + minDelta;
      if (better) best = v;
      return better;
    },
  };
}

/**
 * Stops training when `monitor` has not improved for `patience` epochs.
 *
 * @example
 * ```ts
 * new Trainer({ ..., callbacks: [earlyStopping({ monitor: 'valAcc', patience: 3 })] });
 * ```
 */
export function earlyStopping(options: MonitorOptions & { patience?: number } = {}): Callback & { readonly stoppedEpoch: number | undefined } {
  const patience = options.patience ?? 5;
  const track = improver(options);
  let wait = 0;
  let stoppedEpoch: number | undefined;
  return {
    get stoppedEpoch() {
      return stoppedEpoch;
    },
    onEpochEnd(log, trainer) {
      if (track.check(log)) wait = 0;
      else if (++wait >= patience) {
        trainer.stopTraining = true;
        stoppedEpoch = log.epoch;
      }
    },
  };
}

/**
 * Saves a checkpoint to `dir` (atomically, see `saveCheckpoint`) whenever `monitor` improves.
 * Default monitor: 'valAcc'.
 *
 * @example
 * ```ts
 * new Trainer({ ..., callbacks: [bestCheckpoint({ dir: 'runs/a/best' })] });
 * ```
 */
export function bestCheckpoint(options: MonitorOptions & { dir: string }): Callback & { readonly best: number } {
  const track = improver({ monitor: 'valAcc', ...options });
  return {
    get best() {
      return track.best;
    },
    async onEpochEnd(log, trainer) {
      if (!track.check(log)) return;
      await saveCheckpoint(options.dir, {
        model: trainer.model,
        optimizer: trainer.optimizer,
        ema: trainer.ema,
        step: trainer.step,
        epoch: log.epoch + 1,
        seed: trainer.seed,
        extra: { [track.monitor]: track.best, log },
      });
    },
  };
}
