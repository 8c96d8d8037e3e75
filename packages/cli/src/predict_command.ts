// `tfjs-vit predict <images...> --weights …`: top-k classes per image with the model's pretrained
// preprocessing (timm's resolve_data_config + create_transform), via @tfjs-vit/pipeline.
import { Option, type Command } from 'commander';
import { TfjsVitError } from '@tfjs-vit/ops';
import { createClassifier, createPredictPool, type DataConfig, type ImageClassification, type Runtime } from '@tfjs-vit/pipeline';
import { describeBackend, useBackend } from './backend';
import type { CliContext } from './context';
import { expandImages } from './image_inputs';
import { commonOptions, dataConfigOf, examples, imageModelOptions, int, workersOption } from './options';
import { classificationsJson, errorLine, formatClassifications } from './output';
import { createProgress } from './progress';
import { queuePredictOptions, runQueuePredict, type QueuePredictOptions } from './queue_predict';

/** Options of {@link runPredict} (the command's flags). */
export interface PredictOptions {
  weights: string;
  /** Load weights holding NaN or ±Inf instead of refusing them. */
  allowNonFinite?: boolean;
  model?: string;
  numHeads?: number;
  topk?: number;
  labels?: string;
  json?: boolean;
  runtime?: Runtime;
  threads?: number;
  batchSize?: number;
  backend?: string;
  /** wasm threads in Node (`--wasm-threads`). */
  wasmThreads?: number | 'auto';
  plain?: boolean;
  exifOrientation?: boolean;
  /** Worker threads (`--workers`), each with its own wasm backend; 'auto' splits the cores. */
  workers?: number | 'auto';
  [dataConfig: string]: unknown;
}

/**
 * Classifies `images` (files, folders, globs) and prints the results; resolves to the results.
 * Images that fail are reported on stderr (or as `{image, error}` in JSON) and set exit code 2.
 *
 * @example
 * ```ts
 * await runPredict(['cat.jpg'], { weights: 'vit_base_patch16_224.safetensors', topk: 3 }, ctx);
 * ```
 */
export async function runPredict(images: readonly string[], o: PredictOptions, ctx: CliContext): Promise<ImageClassification[]> {
  const files = expandImages(images);
  if (o.workers !== undefined) return runPredictPool(files, o, ctx);
  const runtime = o.runtime ?? 'tfjs';
  const backend = await useBackend(o.backend, o.wasmThreads);
  ctx.info(`backend: ${describeBackend()}${runtime === 'onnxruntime' ? ' (weights); forward on onnxruntime-node' : ''}`);
  const clf = await createClassifier({
    weights: o.weights, model: o.model, numHeads: o.numHeads, allowNonFinite: o.allowNonFinite, labels: o.labels, runtime, threads: o.threads,
    dataConfig: dataConfigOf(o), exifOrientation: o.exifOrientation,
  });
  try {
    const topk = o.topk ?? 5;
    const serving = runtime === 'tfjs' && backend === 'wasm' ? ['serving from Node? --runtime onnxruntime (onnxruntime-node) runs this model ~10x faster than tfjs-wasm on a CPU'] : [];
    describeModel(clf, topk, ctx, serving);
    const batchSize = o.batchSize ?? 8;
    const bar = files.length > batchSize ? createProgress('images', files.length, { unit: 'items', plain: o.plain }) : null;
    const results = await clf.classify(files, { topk, batchSize, continueOnError: true, onProgress: (d) => bar?.update(d) });
    bar?.finish();
    report(results, o, ctx);
    return results;
  } finally {
    await clf.dispose();
  }
}

/** The model, its preprocessing and the load notes (then `extra` notes), as info lines (a classifier's or a pool's). */
function describeModel(
  m: { modelName: string | null; numClasses: number; labels: readonly string[] | null; dataConfig: DataConfig; notes: readonly string[] },
  topk: number,
  ctx: CliContext,
  extra: readonly string[] = [],
): void {
  const dc = m.dataConfig;
  ctx.info(`model: ${m.modelName ?? 'custom architecture'} (${m.numClasses} classes${m.labels ? '' : ', no labels: class indices'})`);
  ctx.info(`preprocess: ${dc.inputSize.slice(1).join('x')}, ${dc.interpolation}, crop ${dc.cropPct} (${dc.cropMode}), mean [${dc.mean.join(', ')}], std [${dc.std.join(', ')}]`);
  for (const n of [...m.notes, ...extra]) ctx.info(`note: ${n}`);
  if (topk > m.numClasses) ctx.info(`note: --topk ${topk} is more than the model's ${m.numClasses} classes: showing ${m.numClasses}`);
}

/** Prints the results and the failures (exit code 2 when any image failed). */
function report(results: ImageClassification[], o: PredictOptions, ctx: CliContext): void {
  const failed = results.filter((r) => r.error);
  for (const f of failed) ctx.err(errorLine(f.error));
  ctx.out(o.json ? classificationsJson(results) : formatClassifications(results));
  if (failed.length) {
    ctx.err(`${failed.length} of ${results.length} image${results.length === 1 ? '' : 's'} failed`);
    ctx.exitCode = 2;
  }
}

/**
 * `predict --workers N|auto`: the images split across a pool of worker threads (`createPredictPool`
 * of @tfjs-vit/pipeline), each with its own wasm backend; workers × wasm threads ≤ the cores. The
 * weights load once, on the main thread's cpu backend, and are shared with the workers.
 */
async function runPredictPool(files: string[], o: PredictOptions, ctx: CliContext): Promise<ImageClassification[]> {
  if ((o.runtime ?? 'tfjs') !== 'tfjs') throw new TfjsVitError('CLI_ARGUMENT', '--workers runs tfjs-wasm workers; --runtime onnxruntime already uses every core (--threads)');
  const name = o.backend ?? 'auto';
  if (!['auto', 'wasm', 'cpu'].includes(name)) throw new TfjsVitError('CLI_ARGUMENT', `--workers runs on wasm (or cpu); got --backend ${name}`);
  await useBackend('cpu'); // the main thread only loads the weights: no wasm heap or threads of its own
  const topk = o.topk ?? 5;
  const batchSize = o.batchSize ?? 8;
  const pool = await createPredictPool({
    weights: o.weights, model: o.model, numHeads: o.numHeads, allowNonFinite: o.allowNonFinite, labels: o.labels,
    dataConfig: dataConfigOf(o), exifOrientation: o.exifOrientation, images: files.length,
    workers: o.workers, threadsPerWorker: o.wasmThreads, backend: name === 'cpu' ? 'cpu' : 'wasm',
    onWorkerCrash: (e) => ctx.info(`note: a worker crashed (${e.error.message}); its batch is retried on a new one (attempt ${e.attempt})`),
  });
  try {
    ctx.info(`backend: ${pool.workers} worker${pool.workers === 1 ? '' : 's'} × ${pool.workerBackends[0]} (${pool.split.reason}); weights loaded on cpu`);
    describeModel(pool, topk, ctx);
    const bar = files.length > batchSize ? createProgress('images', files.length, { unit: 'items', plain: o.plain }) : null;
    const results = await pool.classify(files, { topk, batchSize, continueOnError: true, onProgress: (d) => bar?.update(d) });
    bar?.finish();
    report(results, o, ctx);
    return results;
  } finally {
    await pool.close();
  }
}

/** Registers `predict` on the program. */
export function predictCommand(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('predict')
    .description("classify images with a timm / PyTorch / JAX checkpoint, using the model's pretrained preprocessing")
    .argument('<images...>', 'image files (JPEG, PNG, WebP, GIF, TIFF), folders or quoted globs');
  imageModelOptions(cmd)
    .option('-k, --topk <k>', 'classes per image', int('--topk', 1), 5)
    .option('--labels <file>', 'class names: one per line, a JSON list or an id2label object (ImageNet-1k is built in)')
    .option('--json', 'print a JSON array: [{ image, top: [{ index, label, prob }] }]')
    .option('-b, --batch-size <n>', 'images per forward pass', int('--batch-size', 1), 8)
    .addOption(new Option('--runtime <runtime>', 'tfjs, or onnxruntime (onnxruntime-node on our ONNX export; fastest on a CPU)').choices(['tfjs', 'onnxruntime']).default('tfjs'))
    .option('--threads <n>', 'onnxruntime threads', int('--threads', 1))
    .option('--workers <n|auto>', 'split the images across worker threads, each with its own wasm backend (auto: the pool splits the cores; --wasm-threads is then per worker)', workersOption)
    .option('--plain', 'plain progress lines even on a terminal');
  queuePredictOptions(commonOptions(cmd))
    .addHelpText('after', examples(
      'tfjs-vit predict cat.jpg dog.png --weights vit_base_patch16_224.augreg2_in21k_ft_in1k.safetensors',
      "tfjs-vit predict 'photos/**/*.jpg' --weights model.pth --model vit_small_patch16_224 --json > preds.json",
      'tfjs-vit predict flowers/ --weights web/vit_flowers --labels classes.txt --topk 1',
      "tfjs-vit predict 'photos/*.jpg' --weights vit_base_patch16_224.safetensors --workers auto",
    ))
    .action(async (images: string[], o: PredictOptions & Partial<QueuePredictOptions>) => {
      if (o.queue) await runQueuePredict(images, o as QueuePredictOptions, ctx); // workers do the rest (`tfjs-vit worker`)
      else await runPredict(images, o, ctx);
    });
}
