// A ready VisionTransformer from a checkpoint: build the architecture (a registered name, a
// config, or one inferred from the checkpoint's shapes) and load the weights into it.
import { LayerNorm } from '@tfjs-vit/layers';
import { createModel, createViT, getModelConfig, type ImgSize, type VisionTransformer, type VisionTransformerOptions } from '@tfjs-vit/models';
import { inferViTConfig } from './infer_config';
import { HF_LAYER_NORM_EPS } from './map_hf';
import { loadTimmStateDict, type TimmLoadReport } from './timm_load';
import { type ReadTimmStateDictOptions, readTimmStateDict, type TimmSource } from './timm_state_dict';

/** Options of {@link fromTimm}. */
export interface FromTimmOptions extends ReadTimmStateDictOptions {
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
  /** true (default): any missing, unexpected or mismatched key throws and nothing is returned. */
  strict?: boolean;
  /** Called with the load report and the notes on inferred settings (e.g. for a CLI to print). */
  onReport?: (report: TimmLoadReport & { config: VisionTransformerOptions }) => void;
}

/**
 * Builds a VisionTransformer and loads a timm, torchvision, Hugging Face or JAX checkpoint into
 * it. Without `model`, the architecture is inferred from the shapes ({@link inferViTConfig});
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
  const sd = await readTimmStateDict(source, options);
  try {
    const ckptClasses = sd.tensors.get('head.weight')?.shape[0] ?? 0;
    const given = typeof options.model === 'object' ? options.model : {};
    const overrides: VisionTransformerOptions = { numClasses: options.numClasses ?? given.numClasses ?? ckptClasses };
    if (options.imgSize !== undefined) overrides.imgSize = options.imgSize;
    if (sd.layout === 'hf' && !given.normLayer) overrides.normLayer = (d: number) => new LayerNorm(d, { eps: HF_LAYER_NORM_EPS });
    let config: VisionTransformerOptions;
    let notes: string[] = [];
    let model: VisionTransformer;
    if (typeof options.model === 'string') {
      config = { ...getModelConfig(options.model), ...overrides };
      model = createModel<VisionTransformer>(options.model, overrides);
    } else {
      const inferred = inferViTConfig(sd.tensors, { numHeads: given.numHeads ?? sd.numHeads });
      notes = inferred.notes;
      config = { ...inferred.config, ...given, ...overrides };
      model = createViT(config);
    }
    try {
      const report = loadTimmStateDict(model, sd, options);
      report.notes.unshift(...notes);
      options.onReport?.({ ...report, config });
      return model;
    } catch (err) {
      model.dispose();
      throw err;
    }
  } finally {
    sd.dispose();
  }
}
