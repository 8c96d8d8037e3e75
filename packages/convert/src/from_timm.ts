// A ready VisionTransformer from a checkpoint: build the architecture (a registered name, a
// config, or one inferred from the checkpoint's shapes) and load the weights into it.
import * as tf from '@tensorflow/tfjs-core';
import { LayerNorm, torchDefaultInit, withZeroInit } from '@tfjs-vit/layers';
import { createModel, createViT, getModelConfig, type ImgSize, type VisionTransformer, type VisionTransformerOptions } from '@tfjs-vit/models';
import { readModelMeta } from './checkpoint_meta';
import { inferViTConfig } from './infer_config';
import { HF_LAYER_NORM_EPS } from './map_hf';
import { type KeyMatchOptions, loadTimmStream, strictOf, type TimmLoadReport } from './timm_load';
import type { ReadTimmStateDictOptions, TimmSource } from './timm_state_dict';
import { openTimmStateDict, type TimmStateDictStream } from './timm_stream';

/** Options of {@link fromTimm}. */
export interface FromTimmOptions extends ReadTimmStateDictOptions, KeyMatchOptions {
  /**
   * The architecture: a registered name (`'vit_base_patch16_224'`), or a config (timm kwargs
   * camelCased, plus parts) whose fields override what is inferred from the checkpoint — e.g.
   * `{ numHeads: 4 }` when the heads cannot be inferred. Default: inferred entirely.
   */
  model?: string | VisionTransformerOptions;
  /** Classes of the head; default the checkpoint's head size (a different size gets a fresh head). */
  numClasses?: number;
  /** Input size; pos_embed is resampled when its grid differs. Default: the checkpoint's grid. */
  imgSize?: ImgSize;
  /**
   * Patch size of the model (`8` or `[h, w]`); the checkpoint's patch kernel is resampled to it as
   * timm's `resample_patch_embed` does (FlexiViT), and pos_embed to the new grid. Default: the
   * checkpoint's (or the named model's).
   */
  patchSize?: number | [number, number];
  /** Called with the load report and the notes on inferred settings (e.g. for a CLI to print). */
  onReport?: (report: TimmLoadReport & { config: VisionTransformerOptions }) => void;
}

/**
 * Builds a VisionTransformer and loads a timm, torchvision, Hugging Face or JAX checkpoint into
 * it. Without `model`, the architecture is inferred from the shapes ({@link inferViTConfig}), with
 * the heads a safetensors file records in its metadata ({@link readModelMeta});
 * Hugging Face checkpoints get LayerNorm eps 1e-12, as their source. A checkpoint that does not
 * fit a named model throws `CheckpointMismatchError` listing the mismatches; one that is not a
 * ViT throws `CheckpointError` `CHECKPOINT_UNKNOWN_ARCH`.
 *
 * @example
 * const vit = await fromTimm('vit_small_patch16_224.augreg_in21k_ft_in1k.safetensors');
 * const tv = await fromTimm(torchvisionBytes, { model: 'vit_base_patch16_224', numClasses: 10 });
 * const logits = vit.eval().forward(tf.zeros([1, 224, 224, 3]));
 */
export async function fromTimm(source: TimmSource, options: FromTimmOptions = {}): Promise<VisionTransformer> {
  strictOf(options); // a contradiction in the options is refused before the file is opened
  const stream = await openTimmStateDict(source, options);
  try {
    const shapes = new Map([...stream.shapes].map(([k, shape]) => [k, { shape }]));
    const ckptClasses = stream.shapes.get('head.weight')?.[0] ?? 0;
    const given = typeof options.model === 'object' ? options.model : {};
    const overrides: VisionTransformerOptions = { numClasses: options.numClasses ?? given.numClasses ?? ckptClasses };
    if (options.imgSize !== undefined) overrides.imgSize = options.imgSize;
    if (options.patchSize !== undefined) overrides.patchSize = options.patchSize;
    if (stream.layout === 'hf' && !given.normLayer) overrides.normLayer = (d: number) => new LayerNorm(d, { eps: HF_LAYER_NORM_EPS });
    let config: VisionTransformerOptions;
    let notes: string[] = [];
    let build: () => VisionTransformer;
    if (typeof options.model === 'string') {
      const name = options.model;
      config = { ...getModelConfig(name), ...overrides };
      build = () => createModel<VisionTransformer>(name, overrides);
    } else {
      const inferred = inferViTConfig(shapes, { numHeads: given.numHeads ?? stream.numHeads ?? readModelMeta(stream.metadata)?.numHeads, layout: stream.layout });
      notes = inferred.notes;
      config = { ...inferred.config, ...given, ...overrides };
      const cfg = config;
      build = () => createViT(cfg);
    }
    const report = loadFresh(build, stream, options);
    report.notes.unshift(...notes);
    options.onReport?.({ ...report, config });
    return report.model;
  } finally {
    stream.close();
  }
}

/**
 * Builds the model without random init (its weights are about to be overwritten) and streams the
 * checkpoint into it. Parameters the checkpoint does not give get their usual init: a fresh head
 * PyTorch's Linear default, anything else (a non-strict load) by rebuilding with timm's init.
 */
function loadFresh(build: () => VisionTransformer, stream: TimmStateDictStream, options: KeyMatchOptions): TimmLoadReport & { model: VisionTransformer } {
  let model = withZeroInit(build);
  try {
    const { loadedKeys, ...report } = loadTimmStream(model, stream, options);
    const loaded = new Set(loadedKeys);
    const rest = model.namedParameters('', { includeBuffers: true }).filter(([k]) => !loaded.has(k));
    if (rest.every(([k]) => k === 'head.weight' || k === 'head.bias')) {
      const weight = rest.find(([k]) => k === 'head.weight')?.[1];
      const fanIn = weight?.variable.rank === 2 ? weight.variable.shape[0]! : 0;
      for (const [, p] of rest) tf.tidy(() => p.variable.assign(torchDefaultInit(p.variable.shape, fanIn)));
    } else {
      model.dispose();
      model = build(); // rare (strict: false with keys left out): the model's own init for those
      loadTimmStream(model, stream, options);
    }
    return { ...report, model };
  } catch (err) {
    model.dispose();
    throw err;
  }
}
