// @tfjs-vit/pipeline: image classification and embeddings with timm weights — decode, the model's
// pretrained preprocessing, forward, softmax, top-k, labels — and attention maps, in one call.
export { createClassifier, Classifier, type ClassifierOptions, type BatchOptions, type ClassifyOptions, type EmbedOptions, type EmbeddingPool, type ImageClassification, type ImageEmbedding, type ImageAttention, type ImageResultBase } from './classifier';
export { resolveDataConfig, evalTransform, evalCrop, INTERPOLATIONS, type DataConfig, type DataConfigOverrides } from '@tfjs-vit/transforms';
export { loadViT, type LoadViTOptions, type LoadedViT, type NameSource, type WeightsSource } from './load_vit';
export { builtinLabels, parseLabels, readLabels } from './labels';
export { IMAGENET_1K_LABELS } from './imagenet_labels';
export { softmax, topK, type Prediction } from './topk';
export { attentionMaps, attentionMapsAsync, type AttentionMap, type AttentionMapOptions, type AttentionMethod } from './attention_maps';
export { overlayHeatmap, tileImages, upsampleMap, jet, type OverlayOptions } from './heatmap';
export type { Runtime } from './runtime';
export { benchmarkForward, type BenchmarkOptions, type BenchmarkRow } from './bench';
export { createPredictPool, predictMany, PredictPool, WorkerCrashError, type PredictPoolOptions, type PoolClassifyOptions, type PoolClassification, type WorkerCrashEvent } from './predict_pool';
export { chooseSplit, THREADED_MIN_WIDTH, type PoolSplit, type SplitRequest } from './pool_split';
export { shareWeights, loadSharedWeights, type SharedWeights, type SharedWeightEntry } from './shared_weights';
