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
  type ImgSize,
} from './vit_config';
export type { ViTParts, EmbedLayer, EmbedLayerArgs, BlockLike } from './vit_parts';
export { ViTPatchEmbed, defaultEmbedLayer, resamplePositions } from './default_parts';
export {
  VIT_MODELS,
  IMAGENET_DEFAULT_MEAN,
  IMAGENET_DEFAULT_STD,
  IMAGENET_INCEPTION_MEAN,
  IMAGENET_INCEPTION_STD,
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
  DuplicateModelError,
  UnknownModelError,
  type ModelRegistration,
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
