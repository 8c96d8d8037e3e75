// `tfjs-vit bench`: forward-pass speed of registered models on this machine, tfjs (the chosen
// backend) against onnxruntime-node on the same weights, as one table with ratios — via
// benchmarkForward of @tfjs-vit/pipeline.
import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { benchmarkForward, type BenchmarkRow, type Runtime } from '@tfjs-vit/pipeline';
import { useBackend } from './backend';
import type { CliContext } from './context';
import { commonOptions, examples, int } from './options';

/** Options of {@link runBench} (the command's flags). */
export interface BenchCommandOptions {
  model?: string[];
  batch?: number[];
  runs?: number;
  runtime?: Runtime[];
  threads?: number;
  json?: boolean;
  backend?: string;
  /** wasm threads in Node (`--wasm-threads`). */
  wasmThreads?: number | 'auto';
}

/** The table `bench` prints, one row per model × batch × runtime. */
export function formatBenchTable(rows: readonly BenchmarkRow[]): string {
  const lines = ['| model | params | batch | engine | ms/img | img/s | time vs first | max abs logit diff |', '| --- | --- | --- | --- | --- | --- | --- | --- |'];
  for (const r of rows) {
    lines.push(`| ${r.model} | ${(r.params / 1e6).toFixed(1)}M | ${r.batch} | ${r.engine} | ${r.msPerImage.toFixed(1)} | ${r.imagesPerSecond.toFixed(2)} | ${r.ratio.toFixed(2)}× | ${r.maxAbsDiff.toExponential(1)} |`);
  }
  return lines.join('\n');
}

/**
 * Runs the benchmark and prints the table (or JSON rows).
 *
 * @example
 * ```ts
 * await runBench({ model: ['vit_tiny_patch16_224'], batch: [1], runtime: ['tfjs', 'onnxruntime'] }, ctx);
 * ```
 */
export async function runBench(o: BenchCommandOptions, ctx: CliContext): Promise<BenchmarkRow[]> {
  const backend = await useBackend(o.backend, o.wasmThreads);
  const runs = o.runs ?? 5;
  ctx.info(`backend ${backend}, ${availableParallelism()} cores, Node ${process.versions.node}; median of ${runs} runs after a warm-up, random weights (seed 0)`);
  const rows = await benchmarkForward({
    models: o.model, batches: o.batch, runs, runtimes: o.runtime, threads: o.threads,
    onRow: (r) => ctx.info(`${r.model} batch ${r.batch} ${r.engine}: ${r.msPerImage.toFixed(1)} ms/img`),
  });
  ctx.out(o.json ? JSON.stringify(rows, null, 2) : formatBenchTable(rows));
  return rows;
}

const list = <T>(parse: (s: string) => T) => (v: string, prev: T[] | undefined): T[] => [...(prev ?? []), ...v.split(',').map((s) => parse(s.trim()))];

function runtime(v: string): Runtime {
  if (v !== 'tfjs' && v !== 'onnxruntime') throw new InvalidArgumentError(`--runtime must be tfjs or onnxruntime, got '${v}'`);
  return v;
}

/** Registers `bench` on the program. */
export function benchCommand(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('bench')
    .description('time the forward pass of registered models here: tfjs on the chosen backend and onnxruntime-node on the same weights, with ratios')
    .option('-m, --model <names>', 'registered models, comma-separated or repeated (default vit_tiny_patch16_224,vit_base_patch16_224)', list(String))
    .option('-b, --batch <sizes>', 'batch sizes, comma-separated (default 1,8)', list(int('--batch', 1)))
    .option('--runs <n>', 'timed runs per setting (median reported)', int('--runs', 1), 5)
    .option('--runtime <names>', 'tfjs and/or onnxruntime, comma-separated; the first is the reference (default tfjs)', list(runtime))
    .option('--threads <n>', "onnxruntime's intra-op threads", int('--threads', 1))
    .option('--json', 'print the rows as JSON');
  commonOptions(cmd)
    .addHelpText('after', examples(
      'tfjs-vit bench',
      'tfjs-vit bench --model vit_base_patch16_224 --batch 1 --runtime tfjs,onnxruntime',
      'tfjs-vit bench --backend cpu --model test_vit --runs 3 --json',
    ))
    .action(async (o: BenchCommandOptions) => {
      await runBench(o, ctx);
    });
}
