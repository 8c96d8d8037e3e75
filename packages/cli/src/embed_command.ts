// `tfjs-vit embed <images...> --weights … --out vectors.npy|.jsonl`: one vector per image (the
// pre-logits features, the class token or the mean patch token), for similarity search.
import { Option, type Command } from 'commander';
import { serializeNpy, writeFileAtomic } from '@tfjs-vit/convert';
import { ArgumentError } from '@tfjs-vit/ops';
import { createClassifier, type EmbeddingPool, type ImageEmbedding } from '@tfjs-vit/pipeline';
import { describeBackend, useBackend } from './backend';
import type { CliContext } from './context';
import { expandImages } from './image_inputs';
import { commonOptions, dataConfigOf, examples, imageModelOptions, int } from './options';
import { errorLine } from './output';
import { createProgress } from './progress';

/** Options of {@link runEmbed}. */
export interface EmbedCommandOptions {
  weights: string;
  /** Load weights holding NaN or ±Inf instead of refusing them. */
  allowNonFinite?: boolean;
  out: string;
  model?: string;
  numHeads?: number;
  pool?: EmbeddingPool;
  normalize?: boolean;
  batchSize?: number;
  backend?: string;
  /** wasm threads in Node (`--wasm-threads`). */
  wasmThreads?: number | 'auto';
  plain?: boolean;
  exifOrientation?: boolean;
  [dataConfig: string]: unknown;
}

/**
 * Embeds `images` and writes `.npy` (float32 `[N, D]`, rows in image order, with the image paths
 * in `<out>.txt`) or `.jsonl` (`{"image", "embedding"}` per line). Failed images are reported on
 * stderr, left out of the file, and set exit code 2.
 *
 * @example
 * ```ts
 * await runEmbed(['a.jpg', 'b.jpg'], { weights: 'vit.safetensors', out: 'v.npy', pool: 'cls', normalize: true }, ctx);
 * ```
 */
export async function runEmbed(images: readonly string[], o: EmbedCommandOptions, ctx: CliContext): Promise<ImageEmbedding[]> {
  const format = /\.npy$/i.test(o.out) ? 'npy' : /\.jsonl$/i.test(o.out) ? 'jsonl' : null;
  if (!format) throw new ArgumentError(`--out must end in .npy or .jsonl, got '${o.out}'`);
  const files = expandImages(images);
  await useBackend(o.backend, o.wasmThreads);
  ctx.info(`backend: ${describeBackend()}`);
  const clf = await createClassifier({ weights: o.weights, model: o.model, numHeads: o.numHeads, allowNonFinite: o.allowNonFinite, labels: null, dataConfig: dataConfigOf(o), exifOrientation: o.exifOrientation });
  try {
    for (const n of clf.notes) ctx.info(`note: ${n}`);
    const batchSize = o.batchSize ?? 8;
    const bar = files.length > batchSize ? createProgress('images', files.length, { unit: 'items', plain: o.plain }) : null;
    const pool = o.pool ?? 'prelogits';
    const results = await clf.embed(files, { pool, normalize: o.normalize, batchSize, continueOnError: true, onProgress: (d) => bar?.update(d) });
    bar?.finish();
    const ok = results.filter((r) => r.embedding);
    for (const f of results.filter((r) => r.error)) ctx.err(errorLine(f.error));
    const dim = ok[0]?.embedding?.length ?? 0;
    if (format === 'npy') {
      const flat = new Float32Array(ok.length * dim);
      ok.forEach((r, i) => flat.set(r.embedding!, i * dim));
      await writeFileAtomic(o.out, serializeNpy(flat, [ok.length, dim]));
      await writeFileAtomic(`${o.out}.txt`, ok.map((r) => r.image).join('\n') + (ok.length ? '\n' : ''));
      ctx.out(`wrote: ${o.out} (float32 [${ok.length}, ${dim}], ${pool}${o.normalize ? ', L2-normalised' : ''}) and ${o.out}.txt (the image of each row)`);
    } else {
      await writeFileAtomic(o.out, ok.map((r) => JSON.stringify({ image: r.image, embedding: Array.from(r.embedding!) })).join('\n') + (ok.length ? '\n' : ''));
      ctx.out(`wrote: ${o.out} (${ok.length} lines, ${dim}-d, ${pool}${o.normalize ? ', L2-normalised' : ''})`);
    }
    if (ok.length < results.length) {
      ctx.err(`${results.length - ok.length} of ${results.length} images failed`);
      ctx.exitCode = 2;
    }
    return results;
  } finally {
    await clf.dispose();
  }
}

/** Registers `embed` on the program. */
export function embedCommand(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('embed')
    .description('one feature vector per image (similarity search, clustering), written as .npy or .jsonl')
    .argument('<images...>', 'image files, folders or quoted globs');
  imageModelOptions(cmd)
    .requiredOption('-o, --out <file>', 'vectors.npy (float32 [N, D]; image paths in vectors.npy.txt) or vectors.jsonl')
    .addOption(new Option('--pool <pool>', "prelogits: what the head sees; cls: the class token; avg: the mean patch token").choices(['prelogits', 'cls', 'avg']).default('prelogits'))
    .option('--normalize', 'L2-normalise each vector (cosine similarity = dot product)')
    .option('-b, --batch-size <n>', 'images per forward pass', int('--batch-size', 1), 8)
    .option('--plain', 'plain progress lines even on a terminal');
  commonOptions(cmd)
    .addHelpText('after', examples(
      'tfjs-vit embed photos/ --weights vit_small_patch16_224.augreg_in21k_ft_in1k.safetensors --pool cls --normalize --out vectors.npy',
      "tfjs-vit embed 'shop/*.jpg' --weights model.pth --out vectors.jsonl",
    ))
    .action(async (images: string[], o: EmbedCommandOptions) => {
      await runEmbed(images, o, ctx);
    });
}
