export { TfjsVitError, ShapeError, ArgumentError, BackendError, assertRank, fmtShape } from './errors';
export { gelu, geluTanh, erf, hasErfKernel } from './gelu';
export { layerNorm } from './layer_norm';
export {
  scaledDotProductAttention,
  scaledDotProductAttentionWithWeights,
  type AttentionOptions,
  type AttentionResult,
} from './attention';
export { dropPath, type DropPathOptions } from './drop_path';
export { truncNormal, type TruncNormalOptions } from './trunc_normal';
export { patchify, unpatchify, type PatchOrder, type PatchifyOptions } from './patchify';
export {
  interpolate,
  interpolateBicubic,
  interpolateBilinear,
  type InterpolateOptions,
} from './interpolate';
export { resampleMatrix, type ResampleMode } from './interpolate_weights';
export { resamplePatchEmbed, type ResamplePatchEmbedOptions } from './resample_patch_embed';
export {
  selectBackend,
  BACKEND_ORDER,
  type BackendAttempt,
  type BackendChoice,
  type SelectBackendOptions,
  wasmThreadsInUse,
} from './select_backend';
export { registerGradients, type GradientSource } from './register_gradients';
export { linear, matMul } from './matmul';
export { importNode } from './node_import';
export { installWasmKernels } from './wasm_kernels';
export { installLeanBackprop } from './lean_backprop';
export { initWasmThreads, WASM_THREADS_TFJS_VERSION, type WasmThreads } from './wasm_threads';
