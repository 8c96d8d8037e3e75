// Fine-tuning on a class-per-folder dataset: seed 004's recipe (ImageFolder, a per-class 80/20
// split with seed 0, timm weights loaded shape-filtered, AdamW + cosine) as one library entry, in
// three modes — a linear probe on features computed once, a frozen backbone run off the tape with
// augmentation, or full fine-tuning. The CLI's `train` and the examples call this.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { encodeModelMeta, loadTimmCheckpoint, saveSafetensors, writeFileAtomic, type TimmLoadReport, type TimmSource } from '@tfjs-vit/convert';
import { withSeededInit } from '@tfjs-vit/layers';
import { createModel, createViT, getPretrainedCfg, type VisionTransformer, type VisionTransformerOptions } from '@tfjs-vit/models';
import { ArgumentError } from '@tfjs-vit/ops';
import {
  createTransform, DataLoader, evalTransform, ImageFolder, randomSplit, resolveDataConfig, saveSvgAsPng,
  type DataConfig, type DataConfigOverrides,
} from '@tfjs-vit/transforms';
import { AdamW } from './adamw';
import type { Callback, EpochLog } from './callbacks';
import { crossEntropyLoss } from './cross_entropy';
import { extractFeatures, FeatureBatches, HeadOnFeatures, type FeatureSet } from './feature_cache';
import { linearProbe } from './freezing';
import { detachBackbone } from './frozen_backbone';
import { paramGroupsWeightDecay } from './param_groups';
import { cosineSchedule } from './schedules';
import { Trainer } from './trainer';
import type { TrainableModel } from './types';

/** What trains: the head on cached features, the head over a frozen backbone, or everything. */
export type FineTuneMode = 'linear-probe' | 'freeze-backbone' | 'full';

/** Options of {@link fineTune}. */
export interface FineTuneOptions {
  /** A folder with one sub-folder of images per class. */
  data: string;
  /** A registered name (`'vit_base_patch16_224_in21k'`) or a ViT config; the head gets one output per class folder. */
  model: string | VisionTransformerOptions;
  /** A timm / torchvision / Hugging Face / JAX checkpoint, loaded shape-filtered (a head of another size is left out). */
  weights?: TimmSource;
  /**
   * 'linear-probe': only `head` trains, on features computed once without augmentation (fast);
   * 'freeze-backbone': `head` and `pre_logits` train over the frozen backbone, with augmentation
   * (seed 004); 'full' (default): every parameter trains, with augmentation.
   */
  mode?: FineTuneMode;
  /** Keep the in21k pre-logits layer (seed 004 drops it: `has_logits=False`). Default false. */
  preLogits?: boolean;
  epochs?: number;
  batchSize?: number;
  /** Peak learning rate (default 1e-3 when only the head trains, 3e-4 for 'full', seed 002's). */
  lr?: number;
  weightDecay?: number;
  /** Fraction of each class held out for validation (default 0.2). */
  valSplit?: number;
  /** Seed of the split, the shuffle, the augmentation and the initial weights (default 0). */
  seed?: number;
  /** Output folder (default 'runs/fine-tune'). */
  out?: string;
  /** Continue from `out/last` when it exists. */
  resume?: boolean;
  /** Decode / augment in this many worker threads (0: main thread). */
  numWorkers?: number;
  /**
   * Leave out images that fail to decode, and list them in the result (`skippedImages`); default
   * false: the first corrupt image stops the run with an error naming its path.
   */
  skipBadImages?: boolean;
  /** Overrides of the model's pretrained preprocessing. */
  dataConfig?: DataConfigOverrides;
  labelSmoothing?: number;
  /** Trainer callbacks (early stopping, best checkpoint, your own). */
  callbacks?: Callback[];
  /** The Trainer's progress output (default: a bar on a terminal, plain lines otherwise); false for none. */
  progress?: boolean;
  /** Where messages go (default console.log). */
  log?: (line: string) => void;
}

/** What {@link fineTune} did (also in `out/results.json`). */
export interface FineTuneResult {
  classes: string[];
  classCounts: number[];
  trainCounts: number[];
  valCounts: number[];
  /** Validation files, relative to `data`. */
  valFiles: string[];
  mode: FineTuneMode;
  dataConfig: DataConfig;
  load: (Pick<TimmLoadReport, 'layout' | 'missingKeys' | 'unexpectedKeys' | 'droppedKeys' | 'notes'> & { loaded: number }) | null;
  trainable: string[];
  history: EpochLog[];
  eval: { top1: number; top5: number; loss: number; count: number; perClassAccuracy: number[]; confusion: number[][] };
  /** Seconds spent computing the cached features (linear probe), else 0. */
  featureSeconds: number;
  /** Images left out because they failed to decode (`skipBadImages`): how many, and their paths relative to `data`. */
  skippedImages: { count: number; files: string[] };
  files: { results: string; weights: string; labels: string; curve: string; curvePng: string; checkpoint: string };
}

/** The model with a head of `numClasses`, its initial weights drawn from `seed` (a reproducible run). */
function buildModel(spec: string | VisionTransformerOptions, numClasses: number, preLogits: boolean, seed: number): VisionTransformer {
  const head: VisionTransformerOptions = { numClasses, ...(preLogits ? {} : { representationSize: null }) };
  return withSeededInit(seed, () => (typeof spec === 'string' ? createModel<VisionTransformer>(spec, head) : createViT({ ...spec, ...head })));
}

function describeLoad(model: VisionTransformer, r: TimmLoadReport): NonNullable<FineTuneResult['load']> {
  const skipped = new Set([...r.missingKeys, ...r.droppedKeys]);
  const loaded = model.namedParameters().filter(([n]) => !skipped.has(n)).length;
  return { layout: r.layout, loaded, missingKeys: r.missingKeys, unexpectedKeys: r.unexpectedKeys, droppedKeys: r.droppedKeys, notes: r.notes };
}

/**
 * Fine-tunes a ViT on `data` (one folder per class), validates on the held-out split each epoch,
 * and writes `out/`: `model.safetensors` (timm keys; `tfjs-vit predict --weights` and timm load
 * it; its metadata records the heads, the preprocessing and the class names), `labels.txt`, `results.json`, `metrics.jsonl` / `.csv`, `curve.svg` / `.png` and `last/`
 * (a checkpoint after every epoch, written atomically; `resume` continues from it).
 *
 * The linear probe runs the frozen backbone once per image (eval transform, no tape) and trains the
 * head on those features; the memory it needs is the model plus one batch of activations, so
 * ViT-B/16 at batch 32 fits in a few hundred MB of wasm heap.
 *
 * @example
 * ```ts
 * const r = await fineTune({ data: 'flower_photos', model: 'vit_base_patch16_224_in21k',
 *   weights: 'jx_vit_base_patch16_224_in21k-e5005f0a.pth', mode: 'linear-probe', batchSize: 32 });
 * console.log(r.eval.top1);
 * ```
 */
export async function fineTune(o: FineTuneOptions): Promise<FineTuneResult> {
  const log = o.log ?? ((s: string) => console.log(s));
  const mode = o.mode ?? 'full';
  if (!['linear-probe', 'freeze-backbone', 'full'].includes(mode)) throw new ArgumentError(`mode must be linear-probe, freeze-backbone or full, got '${String(mode)}'`);
  const out = o.out ?? 'runs/fine-tune';
  const epochs = o.epochs ?? 10;
  const batchSize = o.batchSize ?? 8;
  const seed = o.seed ?? 0;
  const lr = o.lr ?? (mode === 'full' ? 3e-4 : 1e-3);
  for (const [k, v] of [['epochs', epochs], ['batchSize', batchSize]] as const) {
    if (!(Number.isInteger(v) && v > 0)) throw new ArgumentError(`${k} must be a positive integer, got ${v}`);
  }
  if (!(lr > 0)) throw new ArgumentError(`lr must be > 0, got ${lr}`);

  // Data: every class folder split with the same rate and seed (seed 004's read_split_data rule).
  const dataset = new ImageFolder(o.data);
  const split = randomSplit(dataset, { valRate: o.valSplit ?? 0.2, seed });
  const classes = [...dataset.classes];
  if (classes.length < 2) throw new ArgumentError(`${o.data}: found ${classes.length} class folder; a classifier needs at least 2`);
  log(`${dataset.length} images in ${classes.length} classes (${o.data}): ${classes.map((c, i) => `${c} ${split.classCounts[i]}`).join(', ')}`);
  log(`${split.train.length} for training, ${split.val.length} for validation (${Math.round(100 * (o.valSplit ?? 0.2))}% of each class, seed ${seed})`);
  if (!split.val.length) throw new ArgumentError(`${o.data}: the validation split is empty; add images or raise valSplit`);

  const model = buildModel(o.model, classes.length, !!o.preLogits, seed);
  try {
    const name = typeof o.model === 'string' ? o.model : null;
    // no pretrained cfg (a custom config): the model's own input size rather than timm's 224
    const c = model.config;
    const dc = resolveDataConfig((name ? getPretrainedCfg(name) : null) ?? { inputSize: [c.inChans, ...c.imgSize] }, o.dataConfig, c.inChans);
    const [, h, w] = dc.inputSize;
    if (h !== c.imgSize[0] || w !== c.imgSize[1]) model.setInputSize([h, w]);
    log(`model ${name ?? 'custom ViT'}: ${classes.length} classes, input ${h}x${w}, ${dc.interpolation}, crop ${dc.cropPct}, mean [${dc.mean}], std [${dc.std}]; mode ${mode}`);

    let load: FineTuneResult['load'] = null;
    if (o.weights !== undefined) {
      const report = await loadTimmCheckpoint(model, o.weights, { strict: false });
      load = describeLoad(model, report);
      log(`weights (${report.layout} layout), shape-filtered: ${load.loaded} of ${model.namedParameters().length} tensors loaded`);
      if (report.droppedKeys.length) log(`  dropped (a head of another size; the new head starts fresh): ${report.droppedKeys.join(', ')}`);
      if (report.missingKeys.length) log(`  missing (left at init): ${report.missingKeys.join(', ')}`);
      if (report.unexpectedKeys.length) log(`  unexpected (ignored): ${report.unexpectedKeys.join(', ')}`);
      for (const n of report.notes) log(`  note: ${n}`);
    } else {
      log(`!!! no weights given: the model starts from RANDOM INIT${mode === 'full' ? '' : ' and its backbone stays frozen — expect near-chance accuracy'} !!!`);
    }

    const trainable = mode === 'linear-probe' ? linearProbe(model, { prefixes: ['head.', 'head_dist.'] }) : mode === 'freeze-backbone' ? linearProbe(model) : model.unfreeze().namedParameters().map(([n]) => n);
    log(`training ${trainable.length > 6 ? `all ${trainable.length} parameter tensors` : trainable.join(', ')}`);
    mkdirSync(out, { recursive: true });

    const evalT = evalTransform(dc);
    const workers = o.numWorkers ?? 0;
    const close: (() => Promise<void>)[] = [];
    const loaders: DataLoader[] = [];
    const loader = (items: ConstructorParameters<typeof DataLoader>[0], options: ConstructorParameters<typeof DataLoader>[1]) => {
      const l = new DataLoader(items, { ...options, numWorkers: workers, skipBadImages: !!o.skipBadImages });
      loaders.push(l);
      close.push(() => l.close());
      return l;
    };
    let restore = () => {};
    let featureSeconds = 0;
    let trainee: TrainableModel = model;
    let train: ConstructorParameters<typeof Trainer>[0]['train'];
    let val: ConstructorParameters<typeof Trainer>[0]['train'];
    try {
      if (mode === 'linear-probe') {
        const t0 = performance.now();
        const features = async (what: string, items: typeof split.train): Promise<FeatureSet> => {
          const batches = loader(items, { batchSize, transform: evalT });
          const start = performance.now();
          let done = 0;
          let next = 0;
          const set = await extractFeatures(model, batches, {
            onBatch: (n) => {
              done += n;
              if (done >= next || done === items.length) {
                log(`features (${what}): ${done}/${items.length} images, ${(done / ((performance.now() - start) / 1000)).toFixed(1)} img/s`);
                next = done + Math.max(batchSize, Math.ceil(items.length / 10));
              }
            },
          });
          return set;
        };
        const trainSet = await features('train', split.train);
        const valSet = await features('val', split.val);
        featureSeconds = (performance.now() - t0) / 1000;
        log(`features: ${trainSet.count + valSet.count} images × ${trainSet.dim} in ${featureSeconds.toFixed(1)} s; the backbone is not run again`);
        trainee = new HeadOnFeatures(model.head);
        train = new FeatureBatches(trainSet, batchSize, { shuffle: true, seed });
        val = new FeatureBatches(valSet, 256);
      } else {
        if (mode === 'freeze-backbone') restore = detachBackbone(model); // no tape through the frozen blocks
        const trainT = createTransform({ isTraining: true, inputSize: [h, w], interpolation: dc.interpolation, mean: dc.mean, std: dc.std, seed });
        train = loader(split.train, { batchSize, shuffle: true, seed, transform: trainT });
        val = loader(split.val, { batchSize, transform: evalT });
      }
      const steps = epochs * Math.ceil(split.train.length / batchSize);
      const optimizer = new AdamW(paramGroupsWeightDecay(trainee, o.weightDecay ?? 0.05), { lr });
      const trainer = new Trainer({
        model: trainee, optimizer, train, val, epochs, logDir: out, seed, callbacks: o.callbacks,
        loss: crossEntropyLoss({ labelSmoothing: o.labelSmoothing ?? 0 }),
        schedule: cosineSchedule({ baseLr: lr, tInitial: steps, lrMin: lr * 0.01 }),
        progress: o.progress === false ? false : { every: mode === 'linear-probe' ? 50 : 1 },
        logEvery: mode === 'linear-probe' ? 10 : 1,
      });
      const last = join(out, 'last');
      if (o.resume && existsSync(last)) {
        await trainer.resume(last);
        log(`resumed from ${last}: ${trainer.history.length} of ${epochs} epochs done, step ${trainer.step}`);
      }
      const history = await trainer.fit();
      const result = await trainer.evaluate(val);
      const perClass = classes.map((c, i) => `${c} ${(100 * result.perClassAccuracy[i]).toFixed(1)}%`).join(', ');
      log(`val top-1 ${(100 * result.top1).toFixed(2)}% (top-5 ${(100 * result.top5).toFixed(2)}%) on ${result.count} images; per class: ${perClass}`);

      const files = {
        results: join(out, 'results.json'), weights: join(out, 'model.safetensors'), labels: join(out, 'labels.txt'),
        curve: join(out, 'curve.svg'), curvePng: join(out, 'curve.png'), checkpoint: last,
      };
      restore();
      const meta = encodeModelMeta({ ...(name ? { model: name } : {}), numHeads: c.numHeads, dataConfig: dc, labels: classes });
      await saveSafetensors(model, files.weights, { metadata: { format: 'pt', ...meta } });
      await writeFileAtomic(files.labels, classes.join('\n') + '\n');
      if (existsSync(files.curve)) await saveSvgAsPng(readFileSync(files.curve, 'utf8'), files.curvePng);
      const bad = [...new Set(loaders.flatMap((l) => l.skipped.map((x) => relative(o.data, x.source))))];
      if (bad.length) log(`skipped ${bad.length} image${bad.length === 1 ? '' : 's'} that failed to decode: ${bad.slice(0, 5).join(', ')}${bad.length > 5 ? ', …' : ''}`);
      const r: FineTuneResult = {
        classes, classCounts: split.classCounts, trainCounts: split.trainCounts, valCounts: split.valCounts,
        valFiles: split.val.indices.map((i) => relative(o.data, String(dataset.item(i).source))),
        mode, dataConfig: dc, load, trainable, history, featureSeconds, skippedImages: { count: bad.length, files: bad },
        eval: { top1: result.top1, top5: result.top5, loss: result.loss, count: result.count, perClassAccuracy: result.perClassAccuracy, confusion: result.confusion.matrix },
        files,
      };
      const settings = { data: o.data, weights: typeof o.weights === 'string' ? o.weights : o.weights ? '<bytes>' : null, model: name ?? o.model, mode, preLogits: !!o.preLogits, epochs, batchSize, lr, seed, backend: tf.getBackend() };
      await writeFileAtomic(files.results, JSON.stringify({ settings, ...r }, null, 2) + '\n');
      log(`wrote ${out}/{model.safetensors,labels.txt,results.json,metrics.jsonl,metrics.csv,curve.svg,curve.png,last/}`);
      return r;
    } finally {
      restore();
      for (const c of close) await c();
    }
  } finally {
    model.dispose();
  }
}
