// Loading any supported checkpoint into one of our VisionTransformers, as timm's
// `load_checkpoint` + `checkpoint_filter_fn` (or torchvision's / `_load_weights`' own rules) would:
// map the keys, resample pos_embed to the model's grid with the source's method, drop a head of
// another size, then load with a key report. A strict failure changes nothing in the model.
import * as tf from '@tensorflow/tfjs-core';
import { describeReport, type LoadReport, type Parameter, StateDictError } from '@tfjs-vit/layers';
import type { VisionTransformer } from '@tfjs-vit/models';
import { CheckpointError } from './errors';
import { HF_LAYER_NORM_EPS } from './map_hf';
import { POS_EMBED_RESAMPLING, type PosEmbedResampling, resampleAbsPosEmbed } from './pos_embed_filter';
import type { SourceLayout } from './source_layout';
import type { ReadTimmStateDictOptions, TimmSource, TimmStateDict } from './timm_state_dict';
import { openTimmStateDict, streamOfStateDict, type TimmStateDictStream } from './timm_stream';

/** Options of {@link loadTimmCheckpoint}. */
export interface LoadTimmOptions extends ReadTimmStateDictOptions {
  /** true (default): any missing, unexpected or mismatched key throws before anything is loaded. */
  strict?: boolean;
}

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
  posEmbed: (PosEmbedResampling & { fromTokens: number; toTokens: number; grid: [number, number] }) | null;
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
    super('CHECKPOINT_ARCH_MISMATCH', `checkpoint (${report.layout} layout) does not fit the model:\n${describeReport(report)}`, { cause });
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
  /** The resampling of pos_embed, when its grid differs. */
  resample: ((t: tf.Tensor) => tf.Tensor) | null;
}

function planLoad(model: VisionTransformer, stream: TimmStateDictStream): LoadPlan {
  const params = new Map(model.namedParameters('', { includeBuffers: true }));
  const own = modelShapes(model);
  const shapes = new Map(stream.shapes);
  const report: TimmLoadReport = {
    missingKeys: [], unexpectedKeys: [], shapeMismatches: [], layout: stream.layout, wrappers: stream.wrappers,
    strippedPrefixes: stream.strippedPrefixes, droppedKeys: [], posEmbed: null, notes: [], nonFinite: [],
  };
  const keep = new Set<string>(); // keys whose model values stay (a dropped head)
  let resample: LoadPlan['resample'] = null;
  // pos_embed: resample to the model's grid as the source's own loader does
  const pos = shapes.get('pos_embed');
  const want = own.get('pos_embed');
  if (pos && want && pos.length === 3 && pos[2] === want[2] && pos[1] !== want[1]) {
    const grid = [...model.patchEmbed.gridSize] as [number, number];
    const method = POS_EMBED_RESAMPLING[stream.layout];
    const opts = { ...method, numPrefixTokens: model.config.noEmbedClass ? 0 : model.numPrefixTokens };
    resample = (t) => resampleAbsPosEmbed(t, grid, opts);
    const probe = tf.zeros(pos); // small; checks the grid now, before anything is written
    try {
      const resized = resample(probe);
      shapes.set('pos_embed', [...resized.shape]);
      report.posEmbed = { ...method, fromTokens: pos[1]!, toTokens: resized.shape[1]!, grid };
      resized.dispose();
    } finally {
      probe.dispose();
    }
  }
  // head: a checkpoint head of another size is left out (fine-tuning: a fresh head)
  const headW = shapes.get('head.weight');
  if (headW && !sameShape(headW, own.get('head.weight'))) {
    for (const k of ['head.weight', 'head.bias']) {
      if (!shapes.has(k)) continue;
      shapes.delete(k);
      report.droppedKeys.push(k);
    }
    report.notes.push(`checkpoint head [${headW.join(', ')}] does not fit numClasses ${model.numClasses}: left out, the model keeps its own head`);
    for (const k of ['head.weight', 'head.bias']) {
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
export function loadTimmStream(model: VisionTransformer, stream: TimmStateDictStream, options: { strict?: boolean } = {}): TimmLoadReport & { loadedKeys: string[] } {
  const { report, write, resample } = planLoad(model, stream);
  const bad = report.missingKeys.length + report.unexpectedKeys.length + report.shapeMismatches.length;
  if ((options.strict ?? true) && bad > 0) {
    const keys = { missingKeys: report.missingKeys, unexpectedKeys: report.unexpectedKeys, shapeMismatches: report.shapeMismatches };
    throw new CheckpointMismatchError(report, new StateDictError(describeReport(keys), keys));
  }
  stream.forEachGroup((tensors) => {
    for (const [key, t] of tensors) {
      const p = write.get(key);
      if (!p) continue;
      tf.tidy(() => {
        const value = key === 'pos_embed' && resample ? resample(t) : t;
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
export function loadTimmStateDict(model: VisionTransformer, sd: TimmStateDict, options: { strict?: boolean } = {}): TimmLoadReport {
  const { loadedKeys: _, ...report } = loadTimmStream(model, streamOfStateDict(sd, false), options);
  return report;
}

/**
 * Loads a timm, torchvision, Hugging Face or JAX ViT checkpoint into `model`: unwraps training
 * wrappers and `module.` / `_orig_mod.` prefixes, maps the keys and layouts to timm's, resamples
 * pos_embed when the grid differs (timm: bicubic + antialias; npz: bilinear as timm's
 * `_load_weights`; torchvision: bicubic align_corners as its `interpolate_embeddings`), leaves out
 * a head whose size differs from `model.numClasses`, and returns the key report. With
 * `strict: true` (default) any other missing, unexpected or mismatched key throws a
 * `CheckpointMismatchError` and leaves the model untouched: keys and shapes are checked before any
 * value is read. Values are then read, mapped and written one tensor (or fused q/k/v group) at a
 * time, so memory stays near the model's size; a checkpoint whose bytes turn out corrupt part-way
 * (a failed decompression) can leave the tensors before it loaded.
 *
 * @example
 * const vit = createModel('vit_base_patch16_224', { numClasses: 10 });
 * const report = await loadTimmCheckpoint(vit, 'vit_base_patch16_224.augreg_in21k_ft_in1k.pth');
 * report.droppedKeys; // ['head.weight', 'head.bias']: fine-tune a fresh 10-class head
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
