// @tfjs-vit/train: optimizers (AdamW, SGD) with timm's parameter groups, LR schedules, losses,
// metrics, EMA, atomic checkpoints and the Trainer loop.
import '@tensorflow/tfjs-core/dist/register_all_gradients';

export type { TrainableModel, Batch, BatchSource } from './types';
export { NonFiniteLossError, TrainingCheckpointError } from './errors';
export {
  Optimizer,
  type NamedVariable,
  type ParamGroup,
  type ResolvedParamGroup,
  type OptimizerState,
  type ParamState,
  type ParamsInput,
  type ParameterOwner,
} from './optimizer';
export { AdamW, type AdamWOptions } from './adamw';
export { SGD, type SGDOptions } from './sgd';
export {
  paramGroupsWeightDecay,
  paramGroupsLayerDecay,
  vitLayerId,
  type NamedParameterSource,
  type NamedParamGroup,
  type LayerDecayOptions,
} from './param_groups';
export { linearProbe, freezeEarlyLayers } from './freezing';
export { clipGradNorm } from './clip_grad';
export { GradientAccumulator } from './grad_accumulation';
export {
  cosineSchedule,
  stepSchedule,
  constantSchedule,
  type Schedule,
  type WarmupOptions,
  type CosineScheduleOptions,
  type StepScheduleOptions,
} from './schedules';
export { crossEntropy, softTargetCrossEntropy, crossEntropyLoss, type LossFn } from './cross_entropy';
export { topKCorrect, topKAccuracy, ConfusionMatrix } from './metrics';
export { lossAndGradients, type StepResult } from './train_step';
export { ModelEma } from './ema';
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
export { ProgressPrinter, formatProgress, type ProgressInfo, type ProgressOptions } from './progress';
export { JsonlLogger } from './metric_log';
export { CsvLogger, TRAINER_CSV_COLUMNS } from './csv_log';
export { trainingCurveSvg, type CurvePoint } from './curve_svg';
export { evaluateModel, predictModel, type EvalResult } from './evaluate';
export { Trainer, type TrainerOptions } from './trainer';
export { detachBackbone } from './frozen_backbone';
export { extractFeatures, FeatureBatches, HeadOnFeatures, type FeatureSet } from './feature_cache';
export { fineTune, type FineTuneOptions, type FineTuneResult, type FineTuneMode } from './fine_tune';
