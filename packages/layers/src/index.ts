export {
  Module,
  Parameter,
  StateDictError,
  IDENTITY_LAYOUT,
  permutedLayout,
  describeReport,
  type ParameterLayout,
  type LoadReport,
  type ShapeMismatch,
  type StateDict,
  type LoadStateDictOptions,
} from './module';
export { ModuleList, Sequential, Identity, type TensorModule } from './containers';
export { initWeight, truncNormalInit, torchDefaultInit, normalInit, withZeroInit, withSeededInit, isZeroInit, type InitMode } from './init';
export { Linear, type LinearOptions } from './linear';
export { LayerNorm, type LayerNormOptions } from './layer_norm';
export { Conv2d, pair, type Conv2dOptions, type Size2 } from './conv2d';
export { MaxPool2d, type MaxPool2dOptions } from './max_pool';
export { conv2dDifferentiable, type Pads } from './conv2d_grad';
export { GELU, QuickGELU, Tanh, type GELUOptions } from './activation';
export { Dropout } from './dropout';
export { DropPath } from './drop_path';
export { LayerScale } from './layer_scale';
export { Mlp, type MlpOptions, type MlpLayerArgs } from './mlp';
export { Attention, type AttentionOptions, type AttentionWithWeights } from './attention';
export { AttentionPoolLatent, type AttentionPoolLatentOptions } from './attention_pool';
export { Block, type BlockOptions, type BlockWithAttention } from './block';
export { PatchEmbed, type PatchEmbedOptions } from './patch_embed';
export {
  learnedPosEmbed,
  sincos2dPosEmbed,
  sinusoidPosEncoding,
  resamplePosEmbed,
  type SinCos2dOptions,
  type ResamplePosEmbedOptions,
} from './pos_embed';
export { initWeightsVit } from './init_vit';
export { samePadding, samePads, sameOutputSize, padSame } from './same_padding';
export { MaxPool2dSame } from './max_pool_same';
export { StdConv2d, StdConv2dSame, standardizeWeight, type StdConv2dOptions } from './std_conv';
export { GroupNorm, GroupNormAct, groupNorm, type GroupNormOptions, type GroupNormActOptions } from './group_norm';
export { BatchNorm2d, type BatchNorm2dOptions } from './batch_norm';
