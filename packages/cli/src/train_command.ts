// `tfjs-vit train <folder> --model NAME [--weights ckpt]`: seed 004's fine-tuning recipe on any
// class-per-folder dataset, via fineTune of @tfjs-vit/train.
import type { Command } from 'commander';
import { ArgumentError } from '@tfjs-vit/ops';
import { fineTune, type FineTuneMode, type FineTuneResult } from '@tfjs-vit/train';
import { describeBackend, useBackend } from './backend';
import type { CliContext } from './context';
import { commonOptions, dataConfigOf, examples, fraction, int, number, size } from './options';

/** Options of {@link runTrain} (the command's flags). */
export interface TrainCommandOptions {
  model: string;
  weights?: string;
  linearProbe?: boolean;
  freezeBackbone?: boolean;
  preLogits?: boolean;
  epochs?: number;
  batchSize?: number;
  lr?: number;
  weightDecay?: number;
  valSplit?: number;
  seed?: number;
  out?: string;
  resume?: boolean;
  workers?: number;
  /** Leave out images that fail to decode, counting them in the report (`--skip-bad`). */
  skipBad?: boolean;
  labelSmoothing?: number;
  backend?: string;
  /** wasm threads in Node (`--wasm-threads`). */
  wasmThreads?: number | 'auto';
  [dataConfig: string]: unknown;
}

/**
 * Fine-tunes `o.model` on the folder `data` and prints the report.
 *
 * @example
 * ```ts
 * await runTrain('flower_photos', { model: 'vit_base_patch16_224_in21k', weights: 'jx_vit_base_patch16_224_in21k-e5005f0a.pth', linearProbe: true }, ctx);
 * ```
 */
export async function runTrain(data: string, o: TrainCommandOptions, ctx: CliContext): Promise<FineTuneResult> {
  if (o.linearProbe && o.freezeBackbone) throw new ArgumentError('--linear-probe and --freeze-backbone exclude each other');
  const mode: FineTuneMode = o.linearProbe ? 'linear-probe' : o.freezeBackbone ? 'freeze-backbone' : 'full';
  await useBackend(o.backend, o.wasmThreads);
  ctx.info(`backend: ${describeBackend()}`);
  const out = o.out ?? 'runs/train';
  const r = await fineTune({
    data, model: o.model, weights: o.weights, mode, preLogits: o.preLogits, epochs: o.epochs, batchSize: o.batchSize, lr: o.lr,
    weightDecay: o.weightDecay, valSplit: o.valSplit, seed: o.seed, out, resume: o.resume, numWorkers: o.workers, skipBadImages: o.skipBad,
    labelSmoothing: o.labelSmoothing, dataConfig: dataConfigOf(o), log: ctx.info,
  });
  ctx.out(`val top-1 ${(100 * r.eval.top1).toFixed(2)}%, top-5 ${(100 * r.eval.top5).toFixed(2)}% on ${r.eval.count} held-out images (${r.classes.length} classes, ${r.history.length} epochs, ${mode})`);
  if (r.skippedImages.count) ctx.out(`skipped ${r.skippedImages.count} image${r.skippedImages.count === 1 ? '' : 's'} that failed to decode (listed in the report)`);
  ctx.out(`report: ${r.files.results} (curve: ${r.files.curvePng})`);
  ctx.out(`weights: ${r.files.weights} (class names and preprocessing recorded in it) — try: tfjs-vit predict <image> --weights ${r.files.weights}`);
  return r;
}

/** Registers `train` on the program. */
export function trainCommand(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('train')
    .description('fine-tune a ViT on a folder with one sub-folder of images per class (seed 004: 80/20 split, AdamW + cosine)')
    .argument('<folder>', 'the dataset: folder/<class>/<images>')
    .requiredOption('-m, --model <name>', "registered architecture, e.g. vit_base_patch16_224_in21k ('tfjs-vit models')")
    .option('-w, --weights <checkpoint>', 'pretrained weights (.pth, .safetensors, .npz), loaded shape-filtered: a head of another size is left out')
    .option('--linear-probe', 'train only the head, on features computed once (no augmentation; fast)')
    .option('--freeze-backbone', 'train the head (and pre-logits) over the frozen backbone, with augmentation')
    .option('--pre-logits', 'keep the in21k pre-logits layer (seed 004 drops it)')
    .option('-e, --epochs <n>', 'epochs', int('--epochs', 1), 10)
    .option('-b, --batch-size <n>', 'batch size', int('--batch-size', 1), 8)
    .option('--lr <lr>', 'peak learning rate (default 1e-3 for the head alone, 3e-4 for full fine-tuning)', number('--lr', { positive: true }))
    .option('--weight-decay <wd>', 'AdamW weight decay (none on 1-D parameters, pos_embed, cls_token)', number('--weight-decay'), 0.05)
    .option('--val-split <f>', 'fraction of each class held out', fraction('--val-split'), 0.2)
    .option('--seed <n>', 'seed of the split, shuffle and augmentation', int('--seed'), 0)
    .option('-o, --out <dir>', 'output folder', 'runs/train')
    .option('--resume', 'continue from <out>/last')
    .option('--workers <n>', 'decode and augment in N worker threads', int('--workers'), 0)
    .option('--skip-bad', 'leave out images that fail to decode and count them in the report (default: stop at the first, naming it)')
    .option('--label-smoothing <f>', 'label smoothing', number('--label-smoothing'), 0)
    .option('--input-size <S|HxW>', "input size (default: the model's pretrained data config)", size('--input-size'));
  commonOptions(cmd)
    .addHelpText('after', examples(
      'tfjs-vit train flower_photos --model vit_base_patch16_224_in21k --weights jx_vit_base_patch16_224_in21k-e5005f0a.pth --linear-probe --batch-size 32',
      'tfjs-vit train my_photos --model vit_small_patch16_224 --weights vit_small.safetensors --freeze-backbone --epochs 5 --out runs/small',
      'tfjs-vit train my_photos --model vit_small_patch16_224 --weights vit_small.safetensors --out runs/small --resume',
    ))
    .action(async (folder: string, o: TrainCommandOptions) => {
      await runTrain(folder, o, ctx);
    });
}
