// The seed 004 recipe as one function: class-per-folder data split 80/20 per class (seed 0), a ViT
// built by name with a new head, converted timm weights loaded with strict=False, head-only
// training (AdamW + cosine), evaluation, the fine-tuned weights as safetensors and results.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { loadTimmCheckpoint, saveSafetensors, type TimmLoadReport } from '@tfjs-vit/convert';
import { createModel, createViT, getModelConfig, getPretrainedCfg, toPair, type VisionTransformer, type VisionTransformerOptions } from '@tfjs-vit/models';
import { AdamW, Trainer, cosineSchedule, crossEntropyLoss, linearProbe, paramGroupsWeightDecay, type EpochLog } from '@tfjs-vit/train';
import { DataLoader, ImageFolder, createTransform, randomSplit, type Interpolation } from '@tfjs-vit/transforms';
import { detachBackbone } from './frozen_backbone';

/** Options of {@link run}. Everything but `data` has the seed 004 default. */
export interface RunOptions {
  /** A folder with one sub-folder of images per class. */
  data: string;
  /** A timm / torchvision / Hugging Face / JAX checkpoint (.pth, .bin, .safetensors, .npz); none → random init. */
  weights?: string;
  /** A registered model name (default 'vit_base_patch16_224_in21k') or a ViT config (numClasses is set from the folders). */
  model?: string | VisionTransformerOptions;
  /** Keep the pre-logits layer of an in21k model (seed 004: `has_logits=False`, so default false). */
  preLogits?: boolean;
  epochs?: number;
  batchSize?: number;
  /** Input size; default the pretrained cfg's (224), else the config's imgSize. */
  imgSize?: number;
  lr?: number;
  weightDecay?: number;
  valRate?: number;
  seed?: number;
  /** Output folder for results.json, model.safetensors, metrics.jsonl/.csv, curve.svg, last/. */
  out?: string;
  /** Decode/augment in this many worker threads (0: main thread). */
  numWorkers?: number;
  /** Transform overrides; default the model's pretrained cfg, else 0.5 mean/std, bicubic, crop 0.875. */
  mean?: [number, number, number];
  std?: [number, number, number];
  cropPct?: number;
  interpolation?: Interpolation;
  /** Progress bar on stdout (default true). */
  progress?: boolean;
  /** Where messages go (default console.log). */
  log?: (line: string) => void;
}

/** What {@link run} did (also written to `out/results.json`). */
export interface RunResult {
  classes: string[];
  classCounts: number[];
  trainCounts: number[];
  valCounts: number[];
  /** Files of the validation split, relative to `data`, in dataset order. */
  valFiles: string[];
  /** The checkpoint load report, or null without weights. */
  load: Pick<TimmLoadReport, 'layout' | 'missingKeys' | 'unexpectedKeys' | 'droppedKeys' | 'notes'> & { loaded: number } | null;
  trainable: string[];
  history: EpochLog[];
  eval: { top1: number; top5: number; loss: number; count: number; perClassAccuracy: number[]; confusion: number[][] };
  /** Paths of what was written. */
  files: { results: string; weights: string; metricsJsonl: string; metricsCsv: string };
}

const SEED_004_MEAN: [number, number, number] = [0.5, 0.5, 0.5];

function buildModel(o: RunOptions, numClasses: number): { model: VisionTransformer; name: string | null; size: number } {
  const spec = o.model ?? 'vit_base_patch16_224_in21k';
  const head: VisionTransformerOptions = { numClasses, ...(o.preLogits ? {} : { representationSize: null }) };
  if (typeof spec === 'string') {
    const size = o.imgSize ?? getPretrainedCfg(spec)?.inputSize[1] ?? toPair(getModelConfig(spec).imgSize ?? 224)[0];
    return { model: createModel<VisionTransformer>(spec, { ...head, imgSize: size }), name: spec, size };
  }
  const size = o.imgSize ?? toPair(spec.imgSize ?? 224)[0];
  return { model: createViT({ ...spec, ...head, imgSize: size }), name: null, size };
}

/**
 * Fine-tunes the classifier of a pretrained ViT on a class-per-folder dataset (seed 004) and
 * evaluates it on the held-out 20%.
 *
 * @example
 * ```ts
 * const r = await run({ data: 'flower_photos', weights: 'jx_vit_base_patch16_224_in21k-e5005f0a.pth', epochs: 10 });
 * console.log(r.eval.top1);
 * ```
 */
export async function run(o: RunOptions): Promise<RunResult> {
  const log = o.log ?? ((s: string) => console.log(s));
  const out = o.out ?? 'runs/fine-tune';
  const epochs = o.epochs ?? 10;
  const batchSize = o.batchSize ?? 8;
  const seed = o.seed ?? 0;
  mkdirSync(out, { recursive: true });

  // Data: read_split_data — every class folder split 80/20 with seed 0.
  const dataset = new ImageFolder(o.data);
  const split = randomSplit(dataset, { valRate: o.valRate ?? 0.2, seed });
  const classes = [...dataset.classes];
  log(`${dataset.length} images in ${classes.length} classes (${o.data}):`);
  classes.forEach((c, i) => log(`  ${c}: ${split.classCounts[i]} (train ${split.trainCounts[i]}, val ${split.valCounts[i]})`));
  log(`${split.train.length} images for training, ${split.val.length} for validation`);

  // Model: built by name with a head of numClasses; seed 004 drops the in21k pre-logits layer.
  const { model, name, size: inputSize } = buildModel(o, classes.length);
  const cfg = name ? getPretrainedCfg(name) : undefined;
  const tfm = {
    inputSize, mean: o.mean ?? cfg?.mean ?? SEED_004_MEAN, std: o.std ?? cfg?.std ?? SEED_004_MEAN,
    cropPct: o.cropPct ?? cfg?.cropPct ?? 0.875, interpolation: o.interpolation ?? cfg?.interpolation ?? 'bicubic',
  };
  log(`model ${name ?? 'custom ViT'}: ${classes.length} classes, input ${inputSize}, mean ${tfm.mean} std ${tfm.std}, ${tfm.interpolation}, crop ${tfm.cropPct}`);

  let load: RunResult['load'] = null;
  if (o.weights) {
    const report = await loadTimmCheckpoint(model, o.weights, { strict: false });
    load = {
      layout: report.layout,
      loaded: model.namedParameters().filter(([n]) => !report.missingKeys.includes(n) && !report.droppedKeys.includes(n)).length, missingKeys: report.missingKeys,
      unexpectedKeys: report.unexpectedKeys, droppedKeys: report.droppedKeys, notes: report.notes,
    };
    log(`weights ${o.weights} (${report.layout} layout), strict=False: ${load.loaded} of the model's ${model.namedParameters().length} tensors loaded`);
    log(`  dropped (a head of another size; the new head is freshly initialised): ${report.droppedKeys.join(', ') || 'none'}`);
    log(`  missing (left at init): ${report.missingKeys.join(', ') || 'none'}`);
    log(`  unexpected (ignored): ${report.unexpectedKeys.join(', ') || 'none'}`);
    for (const n of report.notes) log(`  note: ${n}`);
  } else {
    log('!!! NO --weights GIVEN: the backbone is RANDOMLY INITIALISED and frozen; only the head trains. !!!');
    log('!!! Expect near-chance accuracy. Pass a timm checkpoint (see README) for the seed 004 recipe. !!!');
  }

  const trainable = linearProbe(model);
  log(`training ${trainable.join(', ')}; everything else frozen`);
  const restore = detachBackbone(model); // the frozen backbone runs off the gradient tape

  const train = new DataLoader(split.train, {
    batchSize, shuffle: true, seed, numWorkers: o.numWorkers ?? 0, transform: createTransform({ isTraining: true, ...tfm }),
  });
  const val = new DataLoader(split.val, { batchSize, numWorkers: o.numWorkers ?? 0, transform: createTransform({ isTraining: false, ...tfm }) });
  const lr = o.lr ?? 1e-3;
  const optimizer = new AdamW(paramGroupsWeightDecay(model, o.weightDecay ?? 0.05), { lr });
  const trainer = new Trainer({
    model, optimizer, train, val, epochs, logDir: out, seed, loss: crossEntropyLoss(),
    schedule: cosineSchedule({ baseLr: lr, tInitial: epochs * train.length, lrMin: lr * 0.01 }),
    progress: o.progress === false ? false : { every: 1 },
    logEvery: 1,
  });
  let history: EpochLog[];
  let result: Awaited<ReturnType<Trainer['evaluate']>>;
  try {
    history = await trainer.fit();
    result = await trainer.evaluate(val);
  } finally {
    restore();
    await train.close();
    await val.close();
  }
  const perClass = classes.map((c, i) => `${c} ${(100 * result.perClassAccuracy[i]).toFixed(1)}%`).join(', ');
  log(`val top-1 ${(100 * result.top1).toFixed(2)}% on ${result.count} images; per class: ${perClass}`);
  log(`confusion (rows true, columns predicted): ${JSON.stringify(result.confusion.matrix)}`);

  const weightsOut = join(out, 'model.safetensors');
  await saveSafetensors(model, weightsOut, { metadata: { format: 'pt' } });
  const files = { results: join(out, 'results.json'), weights: weightsOut, metricsJsonl: join(out, 'metrics.jsonl'), metricsCsv: join(out, 'metrics.csv') };
  const r: RunResult = {
    classes, classCounts: split.classCounts, trainCounts: split.trainCounts, valCounts: split.valCounts,
    valFiles: split.val.indices.map((i) => relative(o.data, String(dataset.item(i).source))),
    load, trainable, history,
    eval: { top1: result.top1, top5: result.top5, loss: result.loss, count: result.count, perClassAccuracy: result.perClassAccuracy, confusion: result.confusion.matrix },
    files,
  };
  const settings = { data: o.data, weights: o.weights ?? null, model: name ?? 'custom', preLogits: !!o.preLogits, epochs, batchSize, lr, seed, transform: tfm, backend: tf.getBackend() };
  writeFileSync(files.results, JSON.stringify({ settings, ...r }, null, 2) + '\n');
  model.dispose();
  log(`wrote ${out}/{results.json,model.safetensors,metrics.jsonl,metrics.csv,curve.svg,last/}`);
  return r;
}
