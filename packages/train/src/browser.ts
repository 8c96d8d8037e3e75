// @tfjs-vit/train for browsers (the package's "browser" export): everything that runs on tensors
// alone — optimizers, parameter groups, schedules, losses, metrics, EMA, gradient tools, frozen
// backbones and feature caches. The Trainer, fineTune, checkpoints and loggers write files, so they
// are in the Node entry only.
import '@tfjs-vit/ops/gradients';

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
export { formatProgress, type ProgressInfo, type ProgressOptions } from './progress';
export { trainingCurveSvg, type CurvePoint } from './curve_svg';
export { evaluateModel, predictModel, type EvalResult } from './evaluate';
export { detachBackbone } from './frozen_backbone';
export { extractFeatures, FeatureBatches, HeadOnFeatures, type FeatureSet } from './feature_cache';
