// The image-classification pipeline: decode → the model's eval preprocessing → forward → softmax →
// top-k → labels, plus embeddings and attention maps from the same model and preprocessing. The
// CLI, the browser page and the queue worker all call this; none repeats a step.
import * as tf from '@tensorflow/tfjs-core';
import type { VisionTransformer } from '@tfjs-vit/models';
import { ArgumentError } from '@tfjs-vit/ops';
import {
  evalCrop, evalTransform, loadImage, resolveDataConfig,
  type Compose, type DataConfig, type DataConfigOverrides, type FloatImage, type ImageInput, type PretrainedDataFields, type RGBImage,
} from '@tfjs-vit/transforms';
import { attentionMapsAsync, type AttentionMap, type AttentionMapOptions } from './attention_maps';
import { builtinLabels, readLabels } from './labels';
import { loadViT, type LoadedViT, type LoadViTOptions, type WeightsSource } from './load_vit';
import { onnxRunner, tfjsRunner, type LogitsRunner, type Runtime } from './runtime';
import { softmax, topK, type Prediction } from './topk';

/** Options of {@link createClassifier}. */
export interface ClassifierOptions extends LoadViTOptions {
  /** A checkpoint (path, URL or bytes), a tfjs model directory / model.json, or a built model (the classifier then owns it: `dispose()` frees it). */
  weights: WeightsSource;
  /** Overrides of the model's pretrained preprocessing (timm's `--input-size`, `--crop-pct`, …). */
  dataConfig?: DataConfigOverrides;
  /** Class names: a list, a label file path (Node), or null for indices; default the names the checkpoint's metadata records, else ImageNet-1k for a 1000-class head. */
  labels?: readonly string[] | string | null;
  /** Where `classify` runs the forward pass (default 'tfjs'; 'onnxruntime' needs onnxruntime-node). */
  runtime?: Runtime;
  /** onnxruntime's intra-op threads (default: its own choice). */
  threads?: number;
  /** Apply EXIF orientation when decoding (default false: PIL / timm ignore it). */
  exifOrientation?: boolean;
}

/** Options shared by the batch methods. */
export interface BatchOptions {
  /** Images per forward pass (default 8). */
  batchSize?: number;
  /** Record an image that fails to decode as `{ image, error }` and go on (default false: throw). */
  continueOnError?: boolean;
  /** Called after each batch with the number of images done and the total. */
  onProgress?: (done: number, total: number) => void;
}

/** Options of {@link Classifier.classify}. */
export interface ClassifyOptions extends BatchOptions {
  /** Classes per image (default 5; capped at the number of classes, as timm's inference does). */
  topk?: number;
}

/** How an embedding is pooled from the tokens. */
export type EmbeddingPool = 'cls' | 'avg' | 'prelogits';

/** Options of {@link Classifier.embed}. */
export interface EmbedOptions extends BatchOptions {
  /**
   * 'prelogits' (default): what the head sees (timm's `forward_head(pre_logits=True)`); 'cls': the
   * class token after the final norm; 'avg': the mean of the patch tokens after the final norm.
   */
  pool?: EmbeddingPool;
  /** L2-normalise each vector (for cosine similarity). Default false. */
  normalize?: boolean;
}

/** What every per-image result has: the input's name (its path, or the name given with bytes). */
export type ImageResultBase = { image: string };
/** One image's top classes, or (with `continueOnError`) why it failed. */
export type ImageClassification = ImageResultBase & ({ top: Prediction[]; error?: undefined } | { top?: undefined; error: Error });
/** One image's embedding, or (with `continueOnError`) why it failed. */
export type ImageEmbedding = ImageResultBase & ({ embedding: Float32Array; error?: undefined } | { embedding?: undefined; error: Error });

/** Attention maps for one image, with the crop they are drawn on. */
export interface ImageAttention extends AttentionMap {
  image: string;
  /** The resized and cropped image the model saw (uint8, the eval transform without normalisation). */
  crop: RGBImage;
  /** The top classes of the same forward pass. */
  top: Prediction[];
}

function nameOf(input: ImageInput, i: number): string {
  return typeof input === 'string' ? input : `<image ${i}>`;
}

/**
 * A loaded model with its preprocessing and labels. Made by {@link createClassifier}; call
 * `dispose()` when done.
 */
export class Classifier {
  readonly model: VisionTransformer;
  /** The registered name the preprocessing came from, or null. */
  readonly modelName: string | null;
  readonly dataConfig: DataConfig;
  /** Class names by index, or null (indices only). */
  readonly labels: readonly string[] | null;
  /** What loading found and assumed, one line each. */
  readonly notes: readonly string[];
  readonly loaded: LoadedViT;
  private readonly transform: Compose;
  private readonly runner: LogitsRunner;

  /** @internal Use {@link createClassifier}. */
  constructor(loaded: LoadedViT, dataConfig: DataConfig, labels: readonly string[] | null, runner: LogitsRunner, notes: string[], private readonly exif: boolean) {
    this.loaded = loaded;
    this.model = loaded.model;
    this.modelName = loaded.modelName;
    this.dataConfig = dataConfig;
    this.labels = labels;
    this.runner = runner;
    this.notes = notes;
    this.transform = evalTransform(dataConfig);
  }

  /** Classes of the head. */
  get numClasses(): number {
    return this.model.numClasses;
  }

  /** Where `classify` runs: 'tfjs' or 'onnxruntime'. */
  get runtime(): Runtime {
    return this.runner.runtime;
  }

  /**
   * The preprocessed pixels of one image: decoded (PIL's `convert('RGB')`), resized, cropped and
   * normalised as the data config says; HWC float32.
   */
  async preprocess(input: ImageInput, name = nameOf(input, 0)): Promise<FloatImage> {
    const img = await loadImage(input, { name, exifOrientation: this.exif });
    return this.transform.apply(img) as FloatImage;
  }

  /**
   * The top `topk` classes of each image, in input order: decode, preprocess, forward in batches,
   * softmax. A file that cannot be read or decoded throws `ImageDecodeError` naming it, or with
   * `continueOnError` becomes `{ image, error }` and the others go on.
   *
   * @example
   * ```ts
   * const [r] = await clf.classify('cat.jpg', { topk: 3 });
   * r.top; // [{ index: 281, label: 'tabby, tabby cat', prob: 0.62 }, …]
   * ```
   */
  async classify(images: ImageInput | readonly ImageInput[], options: ClassifyOptions = {}): Promise<ImageClassification[]> {
    const k = options.topk ?? 5;
    if (!(Number.isInteger(k) && k > 0)) throw new ArgumentError(`topk must be a positive integer, got ${k}`);
    const C = this.numClasses;
    if (C <= 0) throw new ArgumentError('classify: this model has no head (numClasses 0); use embed');
    return this.batched(images, options, async (batch, shape) => {
      const logits = await this.runner.run(batch, shape);
      return Array.from({ length: shape[0] }, (_, i) => ({ top: topK(softmax(logits.subarray(i * C, (i + 1) * C)), k, this.labels) }));
    });
  }

  /**
   * One vector per image (see {@link EmbedOptions.pool}), on the tfjs model whatever the runtime.
   *
   * @example
   * ```ts
   * const [a, b] = await clf.embed(['a.jpg', 'b.jpg'], { pool: 'cls', normalize: true });
   * const cosine = a.embedding!.reduce((s, v, i) => s + v * b.embedding![i], 0);
   * ```
   */
  async embed(images: ImageInput | readonly ImageInput[], options: EmbedOptions = {}): Promise<ImageEmbedding[]> {
    const pool = options.pool ?? 'prelogits';
    if (!['cls', 'avg', 'prelogits'].includes(pool)) throw new ArgumentError(`embed: pool must be 'cls', 'avg' or 'prelogits', got '${String(pool)}'`);
    if (pool === 'cls' && !this.model.clsToken) throw new ArgumentError("embed: pool 'cls' needs a class token; this model has none (use 'avg' or 'prelogits')");
    const m = this.model;
    return this.batched(images, options, async (batch, shape) => {
      const y = tf.tidy(() => {
        const tokens = m.forwardFeatures(tf.tensor4d(batch, shape));
        let v: tf.Tensor;
        if (pool === 'prelogits') v = m.forwardHead(tokens, { preLogits: true });
        else if (pool === 'cls') v = tf.squeeze(tf.slice(tokens, [0, 0, 0], [-1, 1, -1]), [1]);
        else v = tf.mean(tf.slice(tokens, [0, m.numPrefixTokens, 0], [-1, -1, -1]), 1);
        if (options.normalize) v = tf.div(v, tf.maximum(tf.norm(v, 'euclidean', -1, true), 1e-12));
        return v;
      });
      const D = y.shape[1]!;
      const data = (await y.data()) as Float32Array;
      y.dispose();
      return Array.from({ length: shape[0] }, (_, i) => ({ embedding: data.slice(i * D, (i + 1) * D) }));
    });
  }

  /**
   * Attention maps of one image (rollout or the last block's class-token attention, optionally per
   * head) with the crop to draw them on and the forward pass's top classes. Runs on tfjs.
   *
   * @example
   * ```ts
   * const a = await clf.attention('cat.jpg', { method: 'rollout' });
   * await saveImage(overlayHeatmap(a.crop, a.map, a.grid), 'cat_attention.png');
   * ```
   */
  async attention(input: ImageInput, options: AttentionMapOptions & { topk?: number } = {}): Promise<ImageAttention> {
    const name = nameOf(input, 0);
    const img = await loadImage(input, { name, exifOrientation: this.exif });
    const crop = evalCrop(this.dataConfig).apply(img) as RGBImage;
    const x = this.transform.apply(img) as FloatImage;
    const m = this.model;
    const batch = tf.tensor4d(x.data, [1, x.height, x.width, x.channels]);
    const { logits, attentions } = m.forwardWithAttention(batch);
    batch.dispose();
    try {
      const p = m.config.patchSize;
      const grid: [number, number] = [Math.floor(x.height / p[0]), Math.floor(x.width / p[1])];
      const [maps] = await attentionMapsAsync(attentions, m.numPrefixTokens, grid, options);
      const C = this.numClasses;
      const top = C > 0 ? topK(softmax((await logits.data()) as Float32Array), options.topk ?? 5, this.labels) : [];
      return { image: name, crop, top, ...maps };
    } finally {
      tf.dispose([logits, ...attentions]);
    }
  }

  /** Frees the model's weights and the runtime's session. */
  async dispose(): Promise<void> {
    await this.runner.dispose();
    this.model.dispose();
  }

  /** Decodes and preprocesses in batches, runs `step` on each batch, keeps input order and failures. */
  private async batched<R extends object>(
    images: ImageInput | readonly ImageInput[],
    options: BatchOptions,
    step: (batch: Float32Array, shape: [number, number, number, number]) => Promise<R[]>,
  ): Promise<(ImageResultBase & (R | { error: Error }))[]> {
    const list: readonly ImageInput[] = Array.isArray(images) ? images : [images as ImageInput];
    const bs = options.batchSize ?? 8;
    if (!(Number.isInteger(bs) && bs > 0)) throw new ArgumentError(`batchSize must be a positive integer, got ${bs}`);
    const [c, h, w] = this.dataConfig.inputSize;
    const out: (ImageResultBase & (R | { error: Error }))[] = new Array(list.length);
    for (let start = 0; start < list.length; start += bs) {
      const idx = [...Array(Math.min(bs, list.length - start)).keys()].map((i) => start + i);
      const pixels = await Promise.all(idx.map(async (i) => {
        const image = nameOf(list[i], i);
        try {
          return await this.preprocess(list[i], image);
        } catch (e) {
          if (!options.continueOnError) throw e;
          out[i] = { image, error: e as Error };
          return null;
        }
      }));
      const ok = idx.filter((_, j) => pixels[j]);
      if (ok.length) {
        const batch = new Float32Array(ok.length * h * w * c);
        let at = 0;
        for (const p of pixels) if (p) batch.set(p.data, (at++) * h * w * c);
        const results = await step(batch, [ok.length, h, w, c]);
        ok.forEach((i, j) => (out[i] = { image: nameOf(list[i], i), ...results[j] }));
      }
      options.onProgress?.(Math.min(start + bs, list.length), list.length);
    }
    return out;
  }
}

/**
 * Loads weights (any checkpoint format or the tfjs web format), resolves the model's pretrained
 * preprocessing (timm's `resolve_data_config`: overrides, then what the checkpoint's metadata
 * records, then the registered model's cfg, then timm's defaults; a custom architecture keeps its
 * own input size) and the labels, and returns a
 * {@link Classifier}. When the data config's input
 * size is not the model's, the position embedding is resampled (timm's `dynamic_img_size` models
 * do it per call; others once, as `set_input_size`).
 *
 * @example
 * ```ts
 * const clf = await createClassifier({ weights: 'vit_base_patch16_224.augreg2_in21k_ft_in1k.safetensors' });
 * const results = await clf.classify(['cat.jpg', 'dog.png'], { topk: 5 });
 * const vectors = await clf.embed(['cat.jpg'], { pool: 'cls', normalize: true });
 * await clf.dispose();
 * ```
 */
export async function createClassifier(options: ClassifierOptions): Promise<Classifier> {
  if (options.runtime !== undefined && options.runtime !== 'tfjs' && options.runtime !== 'onnxruntime') {
    throw new ArgumentError(`runtime must be 'tfjs' or 'onnxruntime', got '${String(options.runtime)}'`);
  }
  const loaded = await loadViT(options.weights, options);
  const model = loaded.model;
  const notes = [...loaded.notes];
  try {
    const c = model.config;
    // no pretrained cfg (a custom architecture): the model's own input size rather than timm's 224;
    // what the checkpoint records it was trained with comes before the registered model's cfg
    const recorded = loaded.meta?.dataConfig as PretrainedDataFields | undefined;
    const base = { ...(loaded.pretrainedCfg ?? { inputSize: [c.inChans, ...c.imgSize] }), ...recorded };
    const dc = resolveDataConfig(base, options.dataConfig, c.inChans);
    if (dc.inputSize[0] !== c.inChans) throw new ArgumentError(`data config: inputSize has ${dc.inputSize[0]} channels, the model takes ${c.inChans}`);
    if (recorded) notes.push(`preprocessing recorded in the checkpoint's metadata applies (input ${dc.inputSize.slice(1).join('x')}, ${dc.interpolation}, crop ${dc.cropPct} ${dc.cropMode}, mean [${dc.mean}], std [${dc.std}])`);
    else if (!loaded.pretrainedCfg) notes.push(`no pretrained preprocessing known for this architecture: the model's input size, timm's defaults and your overrides apply (input ${dc.inputSize.slice(1).join('x')}, ${dc.interpolation}, crop ${dc.cropPct} ${dc.cropMode}, mean [${dc.mean}], std [${dc.std}])`);
    const size: [number, number] = [dc.inputSize[1], dc.inputSize[2]];
    if ((size[0] !== c.imgSize[0] || size[1] !== c.imgSize[1]) && !model.dynamicImgSize) {
      model.setInputSize(size);
      notes.push(`input ${size.join('x')} differs from the model's ${c.imgSize.join('x')}: pos_embed resampled (bicubic, as timm's set_input_size)`);
    }
    let labels: readonly string[] | null;
    if (typeof options.labels === 'string') labels = await readLabels(options.labels);
    else labels = options.labels === undefined ? loaded.meta?.labels ?? builtinLabels(model.numClasses) : options.labels;
    if (labels && labels.length !== model.numClasses) {
      throw new ArgumentError(`labels: ${labels.length} names for a head of ${model.numClasses} classes`);
    }
    const runner = options.runtime === 'onnxruntime' ? await onnxRunner(model, size, options.threads) : tfjsRunner(model);
    return new Classifier(loaded, dc, labels, runner, notes, options.exifOrientation ?? false);
  } catch (e) {
    if (loaded.format !== 'module') model.dispose(); // a model the caller passed in stays theirs
    throw e;
  }
}
