// `tfjs-vit predict <images...> --weights …`: top-k classes per image with the model's pretrained
// preprocessing (timm's resolve_data_config + create_transform), via @tfjs-vit/pipeline.
import { Option, type Command } from 'commander';
import { createClassifier, type ImageClassification, type Runtime } from '@tfjs-vit/pipeline';
import { describeBackend, useBackend } from './backend';
import type { CliContext } from './context';
import { expandImages } from './image_inputs';
import { commonOptions, dataConfigOf, examples, imageModelOptions, int } from './options';
import { classificationsJson, errorLine, formatClassifications } from './output';
import { createProgress } from './progress';

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
  const runtime = o.runtime ?? 'tfjs';
  const backend = await useBackend(o.backend, o.wasmThreads);
  ctx.info(`backend: ${describeBackend()}${runtime === 'onnxruntime' ? ' (weights); forward on onnxruntime-node' : ''}`);
  const clf = await createClassifier({
    weights: o.weights, model: o.model, numHeads: o.numHeads, allowNonFinite: o.allowNonFinite, labels: o.labels, runtime, threads: o.threads,
    dataConfig: dataConfigOf(o), exifOrientation: o.exifOrientation,
  });
  try {
    const dc = clf.dataConfig;
    ctx.info(`model: ${clf.modelName ?? 'custom architecture'} (${clf.numClasses} classes${clf.labels ? '' : ', no labels: class indices'})`);
    ctx.info(`preprocess: ${dc.inputSize.slice(1).join('x')}, ${dc.interpolation}, crop ${dc.cropPct} (${dc.cropMode}), mean [${dc.mean.join(', ')}], std [${dc.std.join(', ')}]`);
    for (const n of clf.notes) ctx.info(`note: ${n}`);
    if (runtime === 'tfjs' && backend === 'wasm') ctx.info('note: serving from Node? --runtime onnxruntime (onnxruntime-node) runs this model ~10x faster than tfjs-wasm on a CPU');
    const topk = o.topk ?? 5;
    if (topk > clf.numClasses) ctx.info(`note: --topk ${topk} is more than the model's ${clf.numClasses} classes: showing ${clf.numClasses}`);
    const batchSize = o.batchSize ?? 8;
    const bar = files.length > batchSize ? createProgress('images', files.length, { unit: 'items', plain: o.plain }) : null;
    const results = await clf.classify(files, { topk, batchSize, continueOnError: true, onProgress: (d) => bar?.update(d) });
    bar?.finish();
    const failed = results.filter((r) => r.error);
    for (const f of failed) ctx.err(errorLine(f.error));
    ctx.out(o.json ? classificationsJson(results) : formatClassifications(results));
    if (failed.length) {
      ctx.err(`${failed.length} of ${results.length} image${results.length === 1 ? '' : 's'} failed`);
      ctx.exitCode = 2;
    }
    return results;
  } finally {
    await clf.dispose();
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
    .option('--plain', 'plain progress lines even on a terminal');
  commonOptions(cmd)
    .addHelpText('after', examples(
      'tfjs-vit predict cat.jpg dog.png --weights vit_base_patch16_224.augreg2_in21k_ft_in1k.safetensors',
      "tfjs-vit predict 'photos/**/*.jpg' --weights model.pth --model vit_small_patch16_224 --json > preds.json",
      'tfjs-vit predict flowers/ --weights web/vit_flowers --labels classes.txt --topk 1',
    ))
    .action(async (images: string[], o: PredictOptions) => {
      await runPredict(images, o, ctx);
    });
}
