// @tfjs-vit/convert: checkpoints in (PyTorch .pth zip/legacy, safetensors, NumPy .npz/.npy) and
// safetensors out. Readers never execute pickled code.
export { CheckpointError, UnsafePickleError, type CheckpointErrorCode } from './errors';
export { bytesSource, fileSource, type ByteSource } from './source';
export {
  decodeElements, floatToBfloat16, floatToHalf, halfToFloat, loadedDType,
  type LoadedDType, type LoadedValues, type SourceDType,
} from './dtypes';
export { gatherStrided, type TensorEntry } from './tensor_entry';
export { readPickle, PyCallable, PyObject, PY_STATE, type PickleOptions, type PickleResult } from './pickle';
export { STATE_DICT_GLOBALS, StorageType, type StorageRef } from './torch_globals';
export { flattenTensors, isTensorEntry, type Checkpoint, type CheckpointFormat, type CheckpointMeta } from './checkpoint';
export { readZip, type ZipEntry } from './zip';
export { openTorchZip } from './torch_zip';
export { openTorchLegacy, LEGACY_MAGIC } from './torch_legacy';
export { openSafetensors, MAX_SAFETENSORS_HEADER, SAFETENSORS_DTYPES } from './safetensors_read';
export { serializeSafetensors, saveSafetensors, type SaveSafetensorsOptions, type StateDictSource } from './safetensors_write';
export { openNpy, parseNpyHeader, type NpyHeader } from './npy';
export { serializeNpy } from './npy_write';
export { openNpz } from './npz';
export {
  openCheckpoint, readCheckpoint,
  type CheckpointSource, type LoadedCheckpoint, type ReadCheckpointOptions,
} from './read_checkpoint';
export {
  toTfjsArtifacts, writeTfjsShards, parseTfjsModelJson, decodeTfjsGroup, checkShard, TFJS_WEIGHT_DTYPES, type TfjsWeightDType, configOf, optionsOf, TfjsFormatError, DEFAULT_SHARD_BYTES, TFJS_VIT_FORMAT,
  type TfjsArtifacts, type TfjsModelJson, type TfjsSaveOptions, type TfjsWeightGroup, type TfjsWeightSpec,
} from './tfjs_format';
export { checkModelJson, DEFAULT_MAX_PARAMETERS, type ModelJsonCheckOptions } from './model_json_check';
export { saveTfjsModel, type SavedTfjsModel } from './tfjs_format_save';
export { loadModel, loadModelWithMeta, fromTfjsArtifacts, type LoadModelOptions, type LoadedTfjsModel, type FetchLike } from './load_model';
export { crc32 } from './crc32';
export { writeFileAtomic, openAtomicFile, type AtomicFile } from './atomic_file';
export { NonFiniteWeightError, countNonFinite, storedNonFiniteWeights } from './non_finite';
export { exportOnnx, saveOnnx, OnnxExportError, type ExportOnnxOptions, type SaveOnnxOptions } from './onnx_export';
export { encodeOnnxModel, decodeOnnxModel, OnnxDataType, type OnnxModel, type OnnxGraph, type OnnxNode, type OnnxTensor, type OnnxAttribute, type OnnxValueInfo } from './onnx_proto';
// Mapping checkpoints (timm, torchvision, Hugging Face, JAX) into our VisionTransformer.
export { renameKey, renameKeys, matchKey, type KeyRule } from './key_rules';
export { mapKeepingUnknown, type KeyMapping, type StateDictMapper } from './key_mapping';
export { unwrapKeys, STATE_DICT_WRAPPERS, STRIPPED_PREFIXES, type UnwrapOptions, type UnwrappedKeys } from './unwrap';
export { detectLayout, requireLayout, describeKeys, type SourceLayout } from './source_layout';
export { mapTorchvisionKeys, TORCHVISION_RULES } from './map_torchvision';
export { mapHfKeys, hfKeyMapping, HF_RULES, HF_LAYER_NORM_EPS } from './map_hf';
export { mapJaxKeys, jaxKeyMapping, jaxNumHeads, jaxPrefix, isJaxOptimizerState, JAX_PREFIXES } from './map_jax';
export { mapBigVisionKeys, bigVisionNumHeads, bigVisionPrefix, BIG_VISION_PREFIXES } from './map_big_vision';
export { mapOpenAiClipKeys, mapOpenClipTimmKeys, OPENAI_CLIP_RULES, CLIP_VISUAL_PREFIX, OPEN_CLIP_TRUNK_PREFIX } from './map_openai_clip';
export { mapDinov2Keys, DINOV2_RULES, DINOV2_PREFIX_TOKEN_KEYS } from './map_dinov2';
export {
  resampleAbsPosEmbed, POS_EMBED_RESAMPLING, type PosEmbedResampling, type ResampleAbsPosEmbedOptions,
} from './pos_embed_filter';
export {
  readTimmStateDict, type TimmSource, type TimmStateDict, type ReadTimmStateDictOptions,
} from './timm_state_dict';
export { inferViTConfig, CLIP_LAYER_NORM_EPS, type InferredConfig, type InferConfigOptions, type Shaped } from './infer_config';
export {
  loadTimmCheckpoint, loadTimmStateDict, loadTimmStream, CheckpointMismatchError, type LoadTimmOptions, type KeyMatchOptions, type TimmLoadReport,
} from './timm_load';
export { describeSkipped, type SkippedKey } from './load_report';
export {
  patchEmbedResamplingOf, planPatchEmbedResample, PATCH_EMBED_RESAMPLING, TIMM_PATCH_EMBED_RESAMPLING,
  type PatchEmbedResampling, type PatchEmbedResampled,
} from './patch_embed_filter';
export { openTimmStateDict, streamOfStateDict, type TimmStateDictStream } from './timm_stream';
export { loadTfjsStreaming } from './tfjs_stream_load';
export { fromTimm, type FromTimmOptions } from './from_timm';
export { encodeModelMeta, readModelMeta, MODEL_META_KEY, type ModelMeta, type ModelMetaDataConfig } from './checkpoint_meta';
