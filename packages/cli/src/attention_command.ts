// `tfjs-vit attention <image> --weights … --out map.png`: where the model looks, as a heatmap over
// the crop it saw (attention rollout or the last block's class-token attention; --grid per head).
import { Option, type Command } from 'commander';
import { ArgumentError } from '@tfjs-vit/ops';
import { createClassifier, overlayHeatmap, tileImages, type AttentionMethod, type ImageAttention } from '@tfjs-vit/pipeline';
import { formatOfPath, saveImage } from '@tfjs-vit/transforms';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { describeBackend, useBackend } from './backend';
import type { CliContext } from './context';
import { commonOptions, dataConfigOf, examples, fraction, imageModelOptions } from './options';
import { formatPrediction } from './output';

/** Options of {@link runAttention}. */
export interface AttentionCommandOptions {
  weights: string;
  /** Load weights holding NaN or ±Inf instead of refusing them. */
  allowNonFinite?: boolean;
  out: string;
  model?: string;
  numHeads?: number;
  method?: AttentionMethod;
  grid?: boolean;
  alpha?: number;
  labels?: string;
  backend?: string;
  /** wasm threads in Node (`--wasm-threads`). */
  wasmThreads?: number | 'auto';
  exifOrientation?: boolean;
  [dataConfig: string]: unknown;
}

/**
 * Writes the attention heatmap of `image` to `o.out` (PNG / JPEG / WebP by extension): one overlay,
 * or with `grid` the fused map followed by one overlay per head of the last block.
 *
 * @example
 * ```ts
 * await runAttention('cat.jpg', { weights: 'vit.safetensors', out: 'cat_attention.png', method: 'rollout' }, ctx);
 * ```
 */
export async function runAttention(image: string, o: AttentionCommandOptions, ctx: CliContext): Promise<ImageAttention> {
  if (!formatOfPath(o.out)) throw new ArgumentError(`--out must be a .png, .jpg or .webp file, got '${o.out}'`);
  await useBackend(o.backend, o.wasmThreads);
  ctx.info(`backend: ${describeBackend()}`);
  const clf = await createClassifier({ weights: o.weights, model: o.model, numHeads: o.numHeads, allowNonFinite: o.allowNonFinite, labels: o.labels, dataConfig: dataConfigOf(o), exifOrientation: o.exifOrientation });
  try {
    for (const n of clf.notes) ctx.info(`note: ${n}`);
    const method = o.method ?? 'rollout';
    const a = await clf.attention(image, { method, perHead: !!o.grid, topk: 3 });
    const alpha = o.alpha ?? 0.5;
    const fused = overlayHeatmap(a.crop, a.map, a.grid, { alpha });
    const picture = o.grid ? tileImages([fused, ...a.heads!.map((h) => overlayHeatmap(a.crop, h, a.grid, { alpha }))]) : fused;
    await mkdir(dirname(o.out), { recursive: true });
    await saveImage(picture, o.out);
    ctx.out(`${image}`);
    for (const p of a.top) ctx.out(formatPrediction(p));
    const what = o.grid ? `${method} map, then the last block's ${a.heads!.length} heads` : `${method} map`;
    ctx.out(`wrote: ${o.out} (${picture.width}x${picture.height}: ${what} over the ${a.crop.width}x${a.crop.height} crop, grid ${a.grid.join('x')})`);
    return a;
  } finally {
    await clf.dispose();
  }
}

/** Registers `attention` on the program. */
export function attentionCommand(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('attention')
    .description('draw where the model looks: attention rollout or the last block, as a heatmap PNG')
    .argument('<image>', 'an image file');
  imageModelOptions(cmd)
    .requiredOption('-o, --out <file>', 'output image (.png, .jpg or .webp)')
    .addOption(new Option('--method <method>', "rollout: through all blocks (Abnar & Zuidema); last: the last block's class-token attention").choices(['rollout', 'last']).default('rollout'))
    .option('--grid', "also draw each head of the last block, tiled after the fused map")
    .option('--alpha <a>', 'heatmap opacity', fraction('--alpha'), 0.5)
    .option('--labels <file>', 'class names for the printed top classes');
  commonOptions(cmd)
    .addHelpText('after', examples(
      'tfjs-vit attention cat.jpg --weights vit_base_patch16_224.augreg2_in21k_ft_in1k.safetensors --out cat_attention.png',
      'tfjs-vit attention cat.jpg --weights model.pth --method last --grid --out heads.png',
    ))
    .action(async (image: string, o: AttentionCommandOptions) => {
      await runAttention(image, o, ctx);
    });
}
