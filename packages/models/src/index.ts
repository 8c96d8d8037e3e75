export {
  VisionTransformer,
  createViT,
  type VisionTransformerOptions,
  type IntermediateOptions,
  type ForwardWithAttention,
} from './vision_transformer';
export {
  resolveViTConfig,
  numPrefixTokens,
  gridSize,
  toPair,
  type ViTConfig,
  type ResolvedViTConfig,
  type GlobalPool,
  type ActLayerName,
  type ImgSize,
  checkViTOptionKeys,
  VIT_CONFIG_KEYS,
} from './vit_config';
export type { ViTParts, EmbedLayer, EmbedLayerArgs, BlockLike } from './vit_parts';
export { ViTPatchEmbed, defaultEmbedLayer, resamplePositions } from './default_parts';
export {
  VIT_MODELS,
  IMAGENET_DEFAULT_MEAN,
  IMAGENET_DEFAULT_STD,
  IMAGENET_INCEPTION_MEAN,
  IMAGENET_INCEPTION_STD,
  makePretrainedCfg,
  type PretrainedCfg,
  type ModelDef,
} from './configs';
export {
  registerModel,
  createModel,
  listModels,
  isModel,
  nearestModels,
  getModelConfig,
  getPretrainedCfg,
  modelParameterShapes,
  countModelParameters,
  DuplicateModelError,
  UnknownModelError,
  type ModelRegistration,
  type CreateModelOptions,
} from './registry';
export { matchModels, type MatchModelsOptions } from './match_model';
export { countParameters, parameterShapes } from './param_count';
export { poolTokens } from './pooling';
export { toNHWCInput } from './vit_input';
export { compileMatcher, type ParamMatcher } from './param_matcher';
export { PreLogits } from './pre_logits';
export { HybridEmbed, type FeatureBackbone, type HybridEmbedOptions } from './hybrid_embed';
export { ConvStem, ConvNormAct, type ConvStemOptions } from './conv_stem';
export { createConvStemViT, type ConvStemViTOptions } from './hybrid_vit';
export { HYBRID_MODELS } from './hybrid_configs';
export { FAMILY_MODELS, OPENAI_CLIP_MEAN, OPENAI_CLIP_STD } from './family_configs';
export { createResNetV2ViT, type ResNetV2ViTOptions } from './hybrid_configs';
export {
  ResNetV2,
  ResNetV2Stem,
  ResNetStage,
  Bottleneck,
  DownsampleConv,
  createResNetV2Backbone,
  makeDivisible,
  resNetV2Shapes,
  type ResNetV2Options,
} from './resnetv2';
