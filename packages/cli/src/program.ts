// The `tfjs-vit` command line: `convert` and `models`, built with commander.
import * as tf from '@tensorflow/tfjs-core';
import { Command } from 'commander';
import { selectBackend, TfjsVitError } from '@tfjs-vit/ops';
import { runConvert, type ConvertOptions, type OutputFormat } from './convert_command';
import { formatModelTable, modelRows } from './models_command';

/** Where the program writes: lines for the user and error messages. */
export interface CliIO {
  out: (line: string) => void;
  err: (line: string) => void;
}

const defaultIO: CliIO = { out: (l) => process.stdout.write(`${l}\n`), err: (l) => process.stderr.write(`${l}\n`) };

function int(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new TfjsVitError('CLI_ARGUMENT', `${name} must be a non-negative integer, got '${v}'`);
    return n;
  };
}

function imgSize(v: string): number | [number, number] {
  const parts = v.split(/[x,]/).map(int('--img-size'));
  if (parts.length === 1) return parts[0];
  if (parts.length === 2) return [parts[0], parts[1]];
  throw new TfjsVitError('CLI_ARGUMENT', `--img-size must be S or HxW, got '${v}'`);
}

/**
 * Runs the CLI on `argv` (without `node` and the script) and resolves to the exit code; errors
 * are printed (typed errors as `code: message`), never thrown.
 *
 * @example
 * ```ts
 * const code = await runCli(['convert', 'vit.pth', '--out', 'web/vit', '--dtype', 'float16']);
 * ```
 */
export async function runCli(argv: readonly string[], io: CliIO = defaultIO): Promise<number> {
  const program = new Command('tfjs-vit');
  program.storeOptionsAsProperties(false).passCommandToAction(false).exitOverride();
  program.description('Vision Transformers for TensorFlow.js: convert timm/PyTorch checkpoints, list models');
  let task: Promise<void> = Promise.resolve();

  program
    .command('convert <input>')
    .description('convert a checkpoint (.pth, .safetensors, .npz; timm, torchvision, Hugging Face or JAX layout)')
    .requiredOption('-o, --out <dir|file>', 'output directory (tfjs) or file (.safetensors, .onnx)')
    .option('-m, --model <name>', 'registered architecture (default: inferred from the checkpoint)')
    .option('--num-heads <n>', 'attention heads, when they cannot be inferred (not in the shapes)', int('--num-heads'))
    .option('--num-classes <n>', 'classes of the head (a different size gets a new head)', int('--num-classes'))
    .option('--img-size <S|HxW>', 'input size (pos_embed is resampled)', imgSize)
    .option('--dtype <dtype>', 'float32 or float16 weights (tfjs, safetensors)', 'float32')
    .option('-f, --format <format>', 'tfjs, safetensors or onnx (default: from --out, else tfjs)')
    .option('--data-format <layout>', 'ONNX input layout, NCHW or NHWC', 'NCHW')
    .option('--no-strict', 'load what fits and report the rest instead of failing')
    .option('--backend <name>', 'tfjs backend to prefer (wasm, cpu, webgpu, tfjs-node)', 'wasm')
    .option('--plain', 'plain progress lines even on a terminal')
    .action((input: string, o: Record<string, unknown>) => {
      task = (async () => {
        tf.enableProdMode(); // no debug checks or the tfjs-node banner in a CLI
        const backend = await selectBackend({ prefer: o.backend as string });
        io.out(`backend: ${backend.backend}`);
        const options: ConvertOptions = {
          out: o.out as string,
          model: o.model as string | undefined,
          numHeads: o.numHeads as number | undefined,
          numClasses: o.numClasses as number | undefined,
          imgSize: o.imgSize as ConvertOptions['imgSize'],
          dtype: o.dtype as ConvertOptions['dtype'],
          format: o.format as OutputFormat | undefined,
          dataFormat: o.dataFormat as ConvertOptions['dataFormat'],
          strict: o.strict as boolean,
          plain: o.plain as boolean | undefined,
        };
        await runConvert(input, options, io.out);
      })();
    });

  program
    .command('models [filter]')
    .description("registered models and their parameter counts; filter is a glob ('vit_small*')")
    .action((filter?: string) => {
      const rows = modelRows(filter);
      io.out(rows.length ? formatModelTable(rows) : `no models match '${filter}'`);
    });

  try {
    program.parse(['node', 'tfjs-vit', ...argv]);
    if (!argv.length) {
      io.err(program.helpInformation());
      return 1;
    }
    await task;
    return 0;
  } catch (e) {
    const err = e as { code?: string; exitCode?: number; message?: string };
    if (typeof err.exitCode === 'number' && err.code?.startsWith('commander.')) return err.exitCode; // commander printed it
    io.err(e instanceof TfjsVitError ? `error ${e.code}: ${e.message}` : `error: ${err.message ?? String(e)}`);
    if (e instanceof TfjsVitError && /numHeads/.test(e.message) && !argv.includes('--num-heads')) io.err('hint: pass --num-heads N (or --model <name>)');
    return 1;
  }
}
