// @tfjs-vit/train: optimizers (AdamW, SGD) with timm's parameter groups, LR schedules, losses,
// metrics, EMA, atomic checkpoints and the Trainer loop.
// The file-free part (optimizers, schedules, losses, metrics, …) is the browser entry; the rest
// writes files (checkpoints, logs, the Trainer, fineTune) and is Node-only.
export * from './browser';
export { ProgressPrinter } from './progress';
export {
  saveCheckpoint,
  loadCheckpoint,
  CHECKPOINT_FILES,
  type CheckpointInfo,
  type CheckpointContents,
  type SaveCheckpointOptions,
  type LoadCheckpointTargets,
  type StateHolder,
} from './checkpoint';
export { earlyStopping, bestCheckpoint, type Callback, type BatchLog, type EpochLog, type Monitor, type MonitorOptions } from './callbacks';
export { JsonlLogger } from './metric_log';
export { CsvLogger, TRAINER_CSV_COLUMNS } from './csv_log';
export { Trainer, type TrainerOptions } from './trainer';
export { fineTune, type FineTuneOptions, type FineTuneResult, type FineTuneMode } from './fine_tune';
