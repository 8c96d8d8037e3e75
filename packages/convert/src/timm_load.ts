// Loading any supported checkpoint into one of our VisionTransformers, as timm's
// `load_checkpoint` + `checkpoint_filter_fn` (or torchvision's / `_load_weights`' own rules) would:
// map the keys, resample pos_embed to the model's grid with the source's method, drop a head of
// another size, then load with a key report. A strict failure changes nothing in the model.
import * as tf from '@tensorflow/tfjs-core';
import { describeReport, type LoadReport, StateDictError } from '@tfjs-vit/layers';
import type { VisionTransformer } from '@tfjs-vit/models';
import { CheckpointError } from './errors';
import { HF_LAYER_NORM_EPS } from './map_hf';
import { POS_EMBED_RESAMPLING, type PosEmbedResampling, resampleAbsPosEmbed } from './pos_embed_filter';
import type { SourceLayout } from './source_layout';
import { type ReadTimmStateDictOptions, readTimmStateDict, type TimmSource, type TimmStateDict } from './timm_state_dict';

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

/**
 * Loads a prepared timm-keyed state dict into `model` (the tensors are not disposed; the ones
 * this function makes are). Used by {@link loadTimmCheckpoint} and `fromTimm`.
 *
 * @example
 * const sd = await readTimmStateDict('vit_b_16.pth');
 * const report = loadTimmStateDict(vit, sd, { strict: false });
 * sd.dispose();
 */
export function loadTimmStateDict(model: VisionTransformer, sd: TimmStateDict, options: { strict?: boolean } = {}): TimmLoadReport {
  const strict = options.strict ?? true;
  const own = modelShapes(model);
  const dict = new Map(sd.tensors);
  const made: tf.Tensor[] = [];
  const report: TimmLoadReport = {
    missingKeys: [], unexpectedKeys: [], shapeMismatches: [], layout: sd.layout, wrappers: sd.wrappers,
    strippedPrefixes: sd.strippedPrefixes, droppedKeys: [], posEmbed: null, notes: [],
  };
  try {
    // pos_embed: resample to the model's grid as the source's own loader does
    const pos = dict.get('pos_embed');
    const want = own.get('pos_embed');
    if (pos && want && pos.rank === 3 && pos.shape[2] === want[2] && pos.shape[1] !== want[1]) {
      const cfg = model.config;
      const grid = [...model.patchEmbed.gridSize] as [number, number];
      const method = POS_EMBED_RESAMPLING[sd.layout];
      const resized = resampleAbsPosEmbed(pos, grid, { ...method, numPrefixTokens: cfg.noEmbedClass ? 0 : model.numPrefixTokens });
      made.push(resized);
      dict.set('pos_embed', resized);
      report.posEmbed = { ...method, fromTokens: pos.shape[1]!, toTokens: resized.shape[1]!, grid };
    }
    // head: a checkpoint head of another size is left out (fine-tuning: a fresh head)
    const headW = dict.get('head.weight');
    if (headW && !sameShape(headW.shape, own.get('head.weight'))) {
      for (const k of ['head.weight', 'head.bias']) {
        if (!dict.has(k)) continue;
        dict.delete(k);
        report.droppedKeys.push(k);
      }
      report.notes.push(`checkpoint head [${headW.shape.join(', ')}] does not fit numClasses ${model.numClasses}: left out, the model keeps its own head`);
      for (const [k, p] of model.namedParameters('', { includeBuffers: true })) {
        if (k === 'head.weight' || k === 'head.bias') {
          const current = tf.tidy(() => p.layout.toState(p.variable));
          made.push(current);
          dict.set(k, current); // loading the model's own values keeps strict checks on every other key
        }
      }
    }
    if (sd.layout === 'hf') {
      const eps = normEps(model);
      if (eps !== undefined && eps !== HF_LAYER_NORM_EPS) {
        report.notes.push(`Hugging Face ViT uses LayerNorm eps ${HF_LAYER_NORM_EPS}; this model's norms use ${eps} (fromTimm builds HF checkpoints with normLayer eps ${HF_LAYER_NORM_EPS})`);
      }
    }
    let keys: LoadReport;
    try {
      keys = model.loadStateDict(dict, { strict });
    } catch (err) {
      if (err instanceof StateDictError) throw new CheckpointMismatchError({ ...report, ...err.report }, err);
      throw err;
    }
    return { ...report, ...keys };
  } finally {
    for (const t of made) t.dispose();
  }
}

/**
 * Loads a timm, torchvision, Hugging Face or JAX ViT checkpoint into `model`: unwraps training
 * wrappers and `module.` / `_orig_mod.` prefixes, maps the keys and layouts to timm's, resamples
 * pos_embed when the grid differs (timm: bicubic + antialias; npz: bilinear as timm's
 * `_load_weights`; torchvision: bicubic align_corners as its `interpolate_embeddings`), leaves out
 * a head whose size differs from `model.numClasses`, and returns the key report. With
 * `strict: true` (default) any other missing, unexpected or mismatched key throws a
 * `CheckpointMismatchError` and leaves the model untouched.
 *
 * @example
 * const vit = createModel('vit_base_patch16_224', { numClasses: 10 });
 * const report = await loadTimmCheckpoint(vit, 'vit_base_patch16_224.augreg_in21k_ft_in1k.pth');
 * report.droppedKeys; // ['head.weight', 'head.bias']: fine-tune a fresh 10-class head
 */
export async function loadTimmCheckpoint(model: VisionTransformer, source: TimmSource, options: LoadTimmOptions = {}): Promise<TimmLoadReport> {
  const sd = await readTimmStateDict(source, options);
  try {
    return loadTimmStateDict(model, sd, options);
  } finally {
    sd.dispose();
  }
}
