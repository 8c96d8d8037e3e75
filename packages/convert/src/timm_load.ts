// Loading any supported checkpoint into one of our VisionTransformers, as timm's
// `load_checkpoint` + `checkpoint_filter_fn` (or torchvision's / `_load_weights`' own rules) would:
// map the keys, resample pos_embed to the model's grid with the source's method, drop a head of
// another size, then load with a key report. A strict failure changes nothing in the model.
import * as tf from '@tensorflow/tfjs-core';
import { describeReport, type LoadReport, type Parameter, StateDictError } from '@tfjs-vit/layers';
import type { VisionTransformer } from '@tfjs-vit/models';
import { ArgumentError } from '@tfjs-vit/ops';
import { CheckpointError } from './errors';
import { describeSkipped, type SkippedKey } from './load_report';
import { HF_LAYER_NORM_EPS } from './map_hf';
import { type PatchEmbedResampled, type PatchEmbedResampling, patchEmbedResamplingOf, planPatchEmbedResample } from './patch_embed_filter';
import { POS_EMBED_RESAMPLING, type PosEmbedResampling as PosResampling, resampleAbsPosEmbed } from './pos_embed_filter';
import type { SourceLayout } from './source_layout';
import type { ReadTimmStateDictOptions, TimmSource, TimmStateDict } from './timm_state_dict';
import { openTimmStateDict, streamOfStateDict, type TimmStateDictStream } from './timm_stream';

/** How a checkpoint's keys are matched to the model's (options of the loaders and of `fromTimm`). */
export interface KeyMatchOptions {
  /**
   * true (default): any missing, unexpected or mismatched key throws `CheckpointMismatchError`
   * (listing them with their shapes) before anything is loaded. false: load what fits, as `partial`.
   */
  strict?: boolean;
  /**
   * Shape-filtered partial loading, for fine-tuning (e.g. a new head size): every checkpoint key the
   * model has with an equal shape is loaded, every other parameter keeps the model's own values,
   * nothing throws for keys that do not fit, and `report.skipped` lists each left-out key with its
   * checkpoint and model shapes (with `missingKeys`, `unexpectedKeys`, `shapeMismatches`). The same
   * load as `strict: false`, by the name of what it does; `strict: true` with it is an ArgumentError.
   */
  partial?: boolean;
  /**
   * A checkpoint patch kernel of another spatial size than the model's (`[D, C, 16, 16]` into a /8
   * model) is resampled as timm's `resample_patch_embed` (FlexiViT) does: true (default) with the
   * source loader's method (timm: bicubic + antialias; JAX npz: bilinear), or this method; false:
   * it is a shape mismatch. Recorded in `report.patchEmbed`.
   */
  resamplePatchEmbed?: boolean | PatchEmbedResampling;
}

/** Options of {@link loadTimmCheckpoint}. */
export interface LoadTimmOptions extends ReadTimmStateDictOptions, KeyMatchOptions {}

/** What {@link loadTimmCheckpoint} did: PyTorch's key report plus the conversion steps. */
export interface TimmLoadReport extends LoadReport {
  layout: SourceLayout;
  /** Wrapper entries descended into (e.g. `['model']`). */
  wrappers: string[];
  /** Prefixes removed from the keys (e.g. `['module.']`). */
  strippedPrefixes: string[];
  /** Checkpoint keys left out on purpose: the head, when its size is not the model's numClasses. */
  droppedKeys: string[];
  /** How pos_embed was resampled, or null when the grids matched. */
  posEmbed: (PosResampling & { fromTokens: number; toTokens: number; grid: [number, number] }) | null;
  /** How patch_embed.proj.weight was resampled to the model's patch size, or null when it was not. */
  patchEmbed: PatchEmbedResampled | null;
  /**
   * Every key that was not loaded, with the checkpoint's and the model's shapes: unexpected,
   * missing, of another shape, and a head of another size left out (see `partial`).
   */
  skipped: SkippedKey[];
  /** Anything else worth knowing (e.g. a LayerNorm eps that differs from the source's). */
  notes: string[];
  /**
   * Stored tensors loaded with NaN or ±Inf values (only with `allowNonFinite: true`; otherwise the
   * first one throws `NonFiniteWeightError`, the weights before it in load order loaded by then), by
   * checkpoint key.
   */
  nonFinite: { key: string; count: number }[];
}

/**
 * A checkpoint that does not fit the model (strict load): the report says how. Nothing was changed.
 *
 * @example
 * try { await loadTimmCheckpoint(vit, 'ckpt.pth'); } catch (e) {
 *   if (e instanceof CheckpointMismatchError) console.log(e.report.shapeMismatches);
 * }
 */
export class CheckpointMismatchError extends CheckpointError {
  readonly report: TimmLoadReport;
  constructor(report: TimmLoadReport, cause?: unknown) {
    const lines = describeSkipped(report.skipped.filter((s) => s.reason !== 'head'));
    super('CHECKPOINT_ARCH_MISMATCH', `checkpoint (${report.layout} layout) does not fit the model:\n${lines.join('\n')}\n(strict: false or partial: true loads what fits and reports the rest)`, { cause });
    this.report = report;
  }
}

function modelShapes(model: VisionTransformer): Map<string, number[]> {
  return new Map(model.namedParameters('', { includeBuffers: true }).map(([k, p]) => [k, p.stateShape]));
}

function sameShape(a: readonly number[] | undefined, b: readonly number[] | undefined): boolean {
  return !!a && !!b && a.length === b.length && a.every((v, i) => v === b[i]);
}

function normEps(model: VisionTransformer): number | undefined {
  for (const m of [model.norm, model.fcNorm] as unknown[]) {
    const eps = (m as { eps?: unknown }).eps;
    if (typeof eps === 'number') return eps;
  }
  return undefined;
}

/** What loading a stream into a model will do, decided from shapes alone (nothing read yet). */
interface LoadPlan {
  report: TimmLoadReport;
  /** Keys to write, each with its parameter. */
  write: Map<string, Parameter>;
  /** Keys whose checkpoint tensor is resampled before it is written (pos_embed, patch_embed.proj.weight). */
  resample: Map<string, (t: tf.Tensor) => tf.Tensor>;
}

/** `strict` from `strict` and `partial`, refusing the two together. */
export function strictOf(options: KeyMatchOptions): boolean {
  if (options.partial && options.strict === true) {
    throw new ArgumentError('partial: true loads what fits and reports the rest; it cannot be combined with strict: true');
  }
  return options.partial ? false : options.strict ?? true;
}

function planLoad(model: VisionTransformer, stream: TimmStateDictStream, options: KeyMatchOptions): LoadPlan {
  const params = new Map(model.namedParameters('', { includeBuffers: true }));
  const own = modelShapes(model);
  const shapes = new Map(stream.shapes);
  const report: TimmLoadReport = {
    missingKeys: [], unexpectedKeys: [], shapeMismatches: [], layout: stream.layout, wrappers: stream.wrappers,
    strippedPrefixes: stream.strippedPrefixes, droppedKeys: [], posEmbed: null, patchEmbed: null, skipped: [], notes: [], nonFinite: [],
  };
  const keep = new Set<string>(); // keys whose model values stay (a dropped head)
  const resample: LoadPlan['resample'] = new Map();
  // patch_embed: a kernel of another patch size is resampled as timm's resample_patch_embed
  if (options.resamplePatchEmbed !== false) {
    const method = typeof options.resamplePatchEmbed === 'object' ? options.resamplePatchEmbed : patchEmbedResamplingOf(stream.layout);
    const plan = planPatchEmbedResample(shapes.get('patch_embed.proj.weight'), own.get('patch_embed.proj.weight'), method);
    if (plan) {
      resample.set('patch_embed.proj.weight', plan.resample);
      shapes.set('patch_embed.proj.weight', [...own.get('patch_embed.proj.weight')!]);
      report.patchEmbed = plan.record;
    }
  }
  // pos_embed: resample to the model's grid as the source's own loader does
  const pos = shapes.get('pos_embed');
  const want = own.get('pos_embed');
  if (pos && want && pos.length === 3 && pos[2] === want[2] && pos[1] !== want[1]) {
    const grid = [...model.patchEmbed.gridSize] as [number, number];
    const method = POS_EMBED_RESAMPLING[stream.layout];
    const opts = { ...method, numPrefixTokens: model.config.noEmbedClass ? 0 : model.numPrefixTokens };
    const resamplePos = (t: tf.Tensor) => resampleAbsPosEmbed(t, grid, opts);
    resample.set('pos_embed', resamplePos);
    const probe = tf.zeros(pos); // small; checks the grid now, before anything is written
    try {
      const resized = resamplePos(probe);
      shapes.set('pos_embed', [...resized.shape]);
      report.posEmbed = { ...method, fromTokens: pos[1]!, toTokens: resized.shape[1]!, grid };
      resized.dispose();
    } finally {
      probe.dispose();
    }
  }
  // head (and DeiT's head_dist): a checkpoint head of another size is left out (fine-tuning: a fresh head)
  for (const head of ['head', 'head_dist']) {
    const headW = shapes.get(`${head}.weight`);
    if (!headW || sameShape(headW, own.get(`${head}.weight`))) continue;
    const keys = [`${head}.weight`, `${head}.bias`];
    for (const k of keys) {
      if (!shapes.has(k)) continue;
      report.skipped.push({ key: k, reason: 'head', checkpointShape: [...shapes.get(k)!], modelShape: own.has(k) ? [...own.get(k)!] : null });
      shapes.delete(k);
      report.droppedKeys.push(k);
    }
    report.notes.push(`checkpoint ${head} [${headW.join(', ')}] does not fit numClasses ${model.numClasses}: left out, the model keeps its own ${head}`);
    for (const k of keys) {
      if (!own.has(k)) continue;
      shapes.set(k, own.get(k)!); // the model's own values: strict checks still cover every other key
      keep.add(k);
    }
  }
  if (stream.layout === 'hf') {
    const eps = normEps(model);
    if (eps !== undefined && eps !== HF_LAYER_NORM_EPS) {
      report.notes.push(`Hugging Face ViT uses LayerNorm eps ${HF_LAYER_NORM_EPS}; this model's norms use ${eps} (fromTimm builds HF checkpoints with normLayer eps ${HF_LAYER_NORM_EPS})`);
    }
  }
  const write = new Map<string, Parameter>();
  for (const [key, p] of params) {
    const got = shapes.get(key);
    if (!got) report.missingKeys.push(key);
    else if (!sameShape(got, own.get(key))) report.shapeMismatches.push({ key, expected: own.get(key)!, got });
    else if (!keep.has(key)) write.set(key, p);
  }
  for (const key of shapes.keys()) if (!params.has(key)) report.unexpectedKeys.push(key);
  for (const m of report.shapeMismatches) report.skipped.push({ key: m.key, reason: 'shape', checkpointShape: [...m.got], modelShape: [...m.expected] });
  for (const key of report.missingKeys) report.skipped.push({ key, reason: 'missing', checkpointShape: null, modelShape: [...own.get(key)!] });
  for (const key of report.unexpectedKeys) report.skipped.push({ key, reason: 'unexpected', checkpointShape: [...shapes.get(key)!], modelShape: null });
  return { report, write, resample };
}

/**
 * Loads a checkpoint stream ({@link openTimmStateDict}) into `model`, one group of tensors at a
 * time: every key and shape is checked first (from the stream's shapes), so a strict failure
 * throws `CheckpointMismatchError` before anything is written. Returns the report and the
 * parameters written (the others keep the model's values).
 *
 * @example
 * const stream = await openTimmStateDict('vit.safetensors');
 * try { loadTimmStream(vit, stream); } finally { stream.close(); }
 */
export function loadTimmStream(model: VisionTransformer, stream: TimmStateDictStream, options: KeyMatchOptions = {}): TimmLoadReport & { loadedKeys: string[] } {
  const strict = strictOf(options);
  const { report, write, resample } = planLoad(model, stream, options);
  const bad = report.missingKeys.length + report.unexpectedKeys.length + report.shapeMismatches.length;
  if (strict && bad > 0) {
    const keys = { missingKeys: report.missingKeys, unexpectedKeys: report.unexpectedKeys, shapeMismatches: report.shapeMismatches };
    throw new CheckpointMismatchError(report, new StateDictError(describeReport(keys), keys));
  }
  stream.forEachGroup((tensors) => {
    for (const [key, t] of tensors) {
      const p = write.get(key);
      if (!p) continue;
      tf.tidy(() => {
        const value = resample.get(key)?.(t) ?? t;
        p.variable.assign(tf.cast(p.layout.fromState(value), p.variable.dtype));
      });
    }
  });
  return { ...report, nonFinite: [...stream.nonFinite], loadedKeys: [...write.keys()] };
}

/**
 * Loads a prepared timm-keyed state dict into `model` (the tensors are not disposed; the ones
 * this function makes are). A strict failure changes nothing in the model.
 *
 * @example
 * const sd = await readTimmStateDict('vit_b_16.pth');
 * const report = loadTimmStateDict(vit, sd, { strict: false });
 * sd.dispose();
 */
export function loadTimmStateDict(model: VisionTransformer, sd: TimmStateDict, options: KeyMatchOptions = {}): TimmLoadReport {
  const { loadedKeys: _, ...report } = loadTimmStream(model, streamOfStateDict(sd, false), options);
  return report;
}

/**
 * Loads a timm, torchvision, Hugging Face or JAX ViT checkpoint into `model`: unwraps training
 * wrappers and `module.` / `_orig_mod.` prefixes, maps the keys and layouts to timm's, resamples
 * pos_embed when the grid differs (timm: bicubic + antialias; npz: bilinear as timm's
 * `_load_weights`; torchvision: bicubic align_corners as its `interpolate_embeddings`), resamples
 * a patch kernel of another size to the model's patch size (timm's `resample_patch_embed`), leaves
 * out a head whose size differs from `model.numClasses`, and returns the key report. A checkpoint
 * key no mapper knows is never dropped: it stays under its own name and counts as unexpected. With
 * `strict: true` (default) any missing, unexpected or mismatched key throws a
 * `CheckpointMismatchError` naming them with their shapes and leaves the model untouched: keys and
 * shapes are checked before any value is read. `partial: true` (or `strict: false`) loads what
 * fits and lists the rest in `report.skipped`. Values are then read, mapped and written one tensor
 * (or fused q/k/v group) at a time, so memory stays near the model's size; a checkpoint whose bytes
 * turn out corrupt part-way (a failed decompression) can leave the tensors before it loaded.
 *
 * @example
 * const vit = createModel('vit_base_patch16_224', { numClasses: 10 });
 * const report = await loadTimmCheckpoint(vit, 'vit_base_patch16_224.augreg_in21k_ft_in1k.pth');
 * report.droppedKeys; // ['head.weight', 'head.bias']: fine-tune a fresh 10-class head
 * const p = await loadTimmCheckpoint(vit, 'my_finetune.pth', { partial: true });
 * p.skipped; // [{ key: 'head.weight', reason: 'head', checkpointShape: [1000, 768], modelShape: [10, 768] }, …]
 */
export async function loadTimmCheckpoint(model: VisionTransformer, source: TimmSource, options: LoadTimmOptions = {}): Promise<TimmLoadReport> {
  const stream = await openTimmStateDict(source, options);
  try {
    const { loadedKeys: _, ...report } = loadTimmStream(model, stream, options);
    return report;
  } finally {
    stream.close();
  }
}
