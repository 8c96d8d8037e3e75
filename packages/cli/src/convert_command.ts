// `tfjs-vit convert`: a checkpoint (timm / torchvision / Hugging Face / JAX; .pth, .safetensors,
// .npz) into the tfjs web format, safetensors or ONNX, printing what was detected and the key report.
import { statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { CheckpointMismatchError, configOf, fileSource, fromTimm, openCheckpoint, readModelMeta, saveOnnx, saveSafetensors, saveTfjsModel, type ModelMeta, type TimmLoadReport } from '@tfjs-vit/convert';
import { countParameters, type VisionTransformer, type ViTConfig } from '@tfjs-vit/models';
import { ArgumentError, TfjsVitError } from '@tfjs-vit/ops';
import { Option, type Command } from 'commander';
import * as tf from '@tensorflow/tfjs-core';
import { describeBackend, useBackend } from './backend';
import type { CliContext } from './context';
import { countingFileSource } from './counting_source';
import { commonOptions, examples, int, size } from './options';
import { createProgress, formatBytes } from './progress';

/** Output formats of `convert`. */
export type OutputFormat = 'tfjs' | 'safetensors' | 'onnx';

/** Options of {@link runConvert} (the command's flags). */
export interface ConvertOptions {
  out: string;
  model?: string;
  /** Heads, when no `model` name is given and they cannot be inferred. */
  numHeads?: number;
  numClasses?: number;
  imgSize?: number | [number, number];
  /** Patch size of the output model: the checkpoint's patch kernel is resampled to it (FlexiViT, timm's resample_patch_embed). */
  patchSize?: number | [number, number];
  /** Weight storage: float16 halves the files (tfjs, safetensors); uint8 quarters them (tfjs only). */
  dtype?: 'float32' | 'float16' | 'uint8';
  format?: OutputFormat;
  /** ONNX input layout (default 'NCHW', as transformers.js feeds pixel_values). */
  dataFormat?: 'NHWC' | 'NCHW';
  /** Refuse missing/unexpected/mismatched keys (default true); false loads what fits (shape-filtered) and lists the rest. */
  strict?: boolean;
  /** Load weights holding NaN or ±Inf instead of refusing them. */
  allowNonFinite?: boolean;
  /** Plain progress lines even on a terminal. */
  plain?: boolean;
}

/** What `runConvert` did. */
export interface ConvertSummary {
  inputFormat: string;
  report: TimmLoadReport | null;
  config: ViTConfig;
  format: OutputFormat;
  written: string[];
  bytes: number;
}

/** Where the output goes and in which format: from `--format`, else the `--out` extension. */
export function resolveOutput(out: string, format?: OutputFormat): { format: OutputFormat; path: string } {
  const ext = /\.(safetensors|onnx)$/i.exec(out)?.[1]?.toLowerCase() as OutputFormat | undefined;
  const f = format ?? ext ?? 'tfjs';
  if (!['tfjs', 'safetensors', 'onnx'].includes(f)) throw new ArgumentError(`--format must be tfjs, safetensors or onnx, got '${f}'`);
  if (f === 'tfjs') return { format: f, path: out };
  let isDir = out.endsWith('/');
  try {
    isDir ||= statSync(out).isDirectory();
  } catch {
    /* a new file */
  }
  return { format: f, path: isDir ? join(out, `model.${f}`) : out };
}

const list = (xs: readonly string[], n = 6) => (xs.length <= n ? xs.join(', ') : `${xs.slice(0, n).join(', ')}, … (+${xs.length - n})`);

/** One line describing an architecture: its name (or "inferred"), widths, sizes and parameter count. */
export function describeArchitecture(c: ViTConfig, inferred: boolean, model?: string): string {
  const size = (v: ViTConfig['imgSize']) => (Array.isArray(v) ? v.join('x') : String(v));
  const parts = [
    `embedDim ${c.embedDim}`, `depth ${c.depth}`, `heads ${c.numHeads}`, `patch ${size(c.patchSize)}`, `img ${size(c.imgSize)}`,
    `mlpRatio ${c.mlpRatio}`, `classToken ${c.classToken}`, `pool '${c.globalPool}'`, `classes ${c.numClasses}`,
  ];
  if (c.representationSize) parts.push(`preLogits ${c.representationSize}`);
  if (c.regTokens) parts.push(`regTokens ${c.regTokens}`);
  if (c.initValues) parts.push(`layerScale ${c.initValues}`);
  return `${model ? `${model} (` : inferred ? 'inferred (' : '('}${parts.join(', ')}; ${(countParameters(c) / 1e6).toFixed(2)}M params)`;
}

function printReport(r: TimmLoadReport, say: (s: string) => void): void {
  say(`layout: ${r.layout}${r.wrappers.length ? `, unwrapped ${r.wrappers.join('.')}` : ''}${r.strippedPrefixes.length ? `, stripped ${r.strippedPrefixes.join(' ')}` : ''}`);
  say(`keys: ${r.missingKeys.length} missing, ${r.unexpectedKeys.length} unexpected, ${r.shapeMismatches.length} mismatched, ${r.droppedKeys.length} dropped`);
  const shape = (s: readonly number[] | null) => `[${(s ?? []).join(', ')}]`;
  const of = (reason: string) => r.skipped.filter((s) => s.reason === reason);
  const few = <T>(xs: T[], line: (x: T) => string, n = 20) => {
    for (const x of xs.slice(0, n)) say(line(x));
    if (xs.length > n) say(`  … (+${xs.length - n})`);
  };
  few(of('missing'), (s) => `  missing: ${s.key} ${shape(s.modelShape)} (keeps the model's init)`);
  few(of('unexpected'), (s) => `  unexpected: ${s.key} ${shape(s.checkpointShape)} (not loaded)`);
  few(of('shape'), (s) => `  mismatched: ${s.key}: model ${shape(s.modelShape)}, checkpoint ${shape(s.checkpointShape)} (keeps the model's init)`);
  const head = of('head').map((s) => `${shape(s.checkpointShape)} → ${shape(s.modelShape)}`);
  if (r.droppedKeys.length) say(`  dropped: ${list(r.droppedKeys)} (new head${head.length ? `: checkpoint ${head.join(', ')}` : ''})`);
  if (r.patchEmbed) {
    const p = r.patchEmbed;
    say(`patch_embed: resampled ${p.from.join('x')} → ${p.to.join('x')} (${p.interpolation}${p.antialias ? ', antialiased' : ''}; timm resample_patch_embed)`);
  }
  if (r.posEmbed) {
    const p = r.posEmbed;
    say(`pos_embed: resampled ${p.fromTokens} → ${p.toTokens} tokens (grid ${p.grid.join('x')}, ${p.mode}${p.antialias ? ', antialiased' : ''})`);
  }
  for (const n of r.notes) say(`note: ${n}`);
}

/**
 * Converts the checkpoint at `input` and writes it as `options.format` (or what `--out`'s extension
 * says). Lines for the user go to `say`; progress bars to stderr.
 *
 * @example
 * ```ts
 * await runConvert('vit_small.pth', { out: 'web/vit_small', dtype: 'float16' }, console.log);
 * ```
 */
export async function runConvert(input: string, options: ConvertOptions, say: (line: string) => void): Promise<ConvertSummary> {
  const { format, path } = resolveOutput(options.out, options.format);
  if (options.dtype && !['float32', 'float16', 'uint8'].includes(options.dtype)) throw new ArgumentError(`--dtype must be float32, float16 or uint8, got '${options.dtype}'`);
  if (format === 'onnx' && options.dtype && options.dtype !== 'float32') throw new ArgumentError(`--dtype ${options.dtype} is not supported with --format onnx (the export is float32)`);
  if (format === 'safetensors' && options.dtype === 'uint8') throw new ArgumentError('--dtype uint8 is only for --format tfjs (tfjs\' quantised web format); safetensors takes float32 or float16');

  const probe = await fileSource(input);
  let inputFormat: string;
  let meta: ModelMeta | null;
  try {
    const ckpt = await openCheckpoint(probe);
    inputFormat = ckpt.format;
    meta = readModelMeta(ckpt.meta.metadata);
    say(`input: ${input} (${inputFormat}, ${formatBytes(probe.size)}, ${ckpt.entries.size} tensors)`);
    ckpt.close();
  } finally {
    probe.close();
  }

  let report: TimmLoadReport | null = null;
  const bar = { current: null as ReturnType<typeof createProgress> | null };
  const source = await countingFileSource(input, (done, size) => {
    bar.current ??= createProgress('reading', size, { plain: options.plain });
    bar.current.update(done);
  });
  let model: VisionTransformer;
  try {
    model = await fromTimm(source, {
      model: options.model ?? (options.numHeads ? { numHeads: options.numHeads } : undefined), numClasses: options.numClasses, imgSize: options.imgSize,
      ...(options.patchSize !== undefined ? { patchSize: options.patchSize } : {}), strict: options.strict ?? true, allowNonFinite: options.allowNonFinite,
      onReport: (r) => (report = r),
    });
  } finally {
    source.close();
    (bar.current as ReturnType<typeof createProgress> | null)?.finish();
  }
  try {
    const config: ViTConfig = configOf(model);
    say(`architecture: ${describeArchitecture(config, !options.model, options.model)}`);
    if (report) printReport(report, say);

    const dtype = options.dtype ?? 'float32';
    let written: string[];
    let bytes: number;
    if (format === 'tfjs') {
      let shardBar: ReturnType<typeof createProgress> | null = null;
      const saved = await saveTfjsModel(model, path, {
        dtype,
        // labels and preprocessing the checkpoint records travel into model.json (a new head drops the labels)
        ...(meta ? { meta: model.numClasses === meta.labels?.length || !meta.labels ? meta : { ...meta, labels: undefined } } : {}),
        onShard: (done, total) => {
          shardBar ??= createProgress('writing shards', total, { unit: 'items', plain: options.plain });
          shardBar.update(done);
        },
      });
      (shardBar as ReturnType<typeof createProgress> | null)?.finish();
      written = [saved.modelJsonPath, ...saved.shardPaths];
      bytes = saved.totalBytes;
      say(`wrote: ${saved.modelJsonPath} + ${saved.shardPaths.length} shard${saved.shardPaths.length === 1 ? '' : 's'} (${formatBytes(bytes)}, ${dtype})`);
    } else if (format === 'safetensors') {
      await mkdir(dirname(path), { recursive: true });
      await saveSafetensors(model, path, { metadata: { format: 'pt' }, floatDType: dtype as 'float32' | 'float16' });
      written = [path];
      bytes = statSync(path).size;
      say(`wrote: ${path} (${formatBytes(bytes)}, ${dtype}, timm keys)`);
    } else {
      const dataFormat = options.dataFormat ?? 'NCHW';
      await mkdir(dirname(path), { recursive: true });
      let writeBar: ReturnType<typeof createProgress> | null = null;
      bytes = await saveOnnx(model, path, {
        dataFormat,
        onProgress: (done, total) => {
          writeBar ??= createProgress('writing onnx', total, { plain: options.plain });
          writeBar.update(done);
        },
      });
      (writeBar as ReturnType<typeof createProgress> | null)?.finish();
      written = [path];
      say(`wrote: ${path} (${formatBytes(bytes)}, opset 17, input pixel_values ${dataFormat} [batch, …], output logits)`);
    }
    return { inputFormat, report, config, format, written, bytes };
  } finally {
    model.dispose();
  }
}

/** Registers `convert` on the program. */
export function convertCommand(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('convert')
    .description('convert a checkpoint (.pth, .safetensors, .npz; timm, torchvision, Hugging Face or JAX layout) to tfjs, safetensors or ONNX')
    .argument('<input>', 'the checkpoint')
    .requiredOption('-o, --out <dir|file>', 'output directory (tfjs) or file (.safetensors, .onnx)')
    .option('-m, --model <name>', 'registered architecture (default: inferred from the checkpoint)')
    .option('--num-heads <n>', 'attention heads, when they cannot be inferred (not in the shapes)', int('--num-heads', 1))
    .option('--num-classes <n>', 'classes of the head (a different size gets a new head)', int('--num-classes'))
    .option('--img-size <S|HxW>', 'input size (pos_embed is resampled)', size('--img-size'))
    .option('--patch-size <S|HxW>', "patch size (the checkpoint's patch kernel is resampled as timm's resample_patch_embed, pos_embed to the new grid)", size('--patch-size'))
    .addOption(new Option('--dtype <dtype>', 'weight storage: float16 (tfjs, safetensors) halves the files, uint8 (tfjs) quarters them').choices(['float32', 'float16', 'uint8']).default('float32'))
    .addOption(new Option('-f, --format <format>', 'output format (default: from --out, else tfjs)').choices(['tfjs', 'safetensors', 'onnx']))
    .addOption(new Option('--data-format <layout>', 'ONNX input layout').choices(['NCHW', 'NHWC']).default('NCHW'))
    .option('--no-strict', 'load what fits (keys with equal shapes) and list the rest with their shapes instead of failing')
    .option('--allow-non-finite', 'load weights holding NaN or Inf instead of refusing the file')
    .option('--plain', 'plain progress lines even on a terminal');
  commonOptions(cmd, 'wasm')
    .addHelpText('after', examples(
      'tfjs-vit convert vit_small_patch16_224.augreg_in21k_ft_in1k.safetensors --out web/vit_small --dtype float16',
      'tfjs-vit convert vit_base_patch16_224.pth --out ft/vit_b16 --num-classes 10 --img-size 384',
      'tfjs-vit convert model.safetensors --out vit.onnx',
      'tfjs-vit convert vit_base_patch16_224.safetensors --out web/vit_b8 --patch-size 8',
    ))
    .action(async (input: string, o: Record<string, unknown>) => {
      tf.enableProdMode(); // no debug checks in a CLI
      try {
        statSync(input);
      } catch {
        throw new TfjsVitError('WEIGHTS_NOT_FOUND', `${input}: no such file`);
      }
      await useBackend(o.backend as string, o.wasmThreads as number | 'auto' | undefined);
      ctx.out(`backend: ${describeBackend()}`);
      const options: ConvertOptions = {
        out: o.out as string, model: o.model as string | undefined, numHeads: o.numHeads as number | undefined,
        numClasses: o.numClasses as number | undefined, imgSize: o.imgSize as ConvertOptions['imgSize'], patchSize: o.patchSize as ConvertOptions['patchSize'],
        dtype: o.dtype as ConvertOptions['dtype'], format: o.format as OutputFormat | undefined,
        dataFormat: o.dataFormat as ConvertOptions['dataFormat'], strict: o.strict as boolean, allowNonFinite: o.allowNonFinite as boolean | undefined, plain: o.plain as boolean | undefined,
      };
      try {
        await runConvert(input, options, ctx.out);
      } catch (e) {
        if (e instanceof TfjsVitError && /numHeads/.test(e.message) && !options.numHeads) Object.assign(e, { hint: 'pass --num-heads N (or --model <name>)' });
        if (e instanceof CheckpointMismatchError && options.strict !== false) Object.assign(e, { hint: 'pass --no-strict to load the keys that fit and list the rest' });
        throw e;
      }
    });
}
