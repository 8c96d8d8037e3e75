// The `tfjs-vit` command line (commander): one file per command, each its option parsing plus a
// call into the library; this file assembles them and turns errors into one line and an exit code.
import { CommanderError, Command } from 'commander';
import * as tf from '@tensorflow/tfjs-core';
import { attentionCommand } from './attention_command';
import { benchCommand } from './bench_command';
import { createContext, type CliIO } from './context';
import { convertCommand } from './convert_command';
import { embedCommand } from './embed_command';
import { infoCommand } from './info_command';
import { modelsCommand } from './models_command';
import { examples } from './options';
import { errorLine } from './output';
import { predictCommand } from './predict_command';
import { trainCommand } from './train_command';
import { workerCommand } from './worker_command';

export type { CliIO } from './context';

const defaultIO: CliIO = { out: (l) => process.stdout.write(`${l}\n`), err: (l) => process.stderr.write(`${l}\n`) };

/** The program with every command registered, writing through `io`; `ctx` collects the exit code. */
function buildProgram(io: CliIO, ctx: ReturnType<typeof createContext>): Command {
  const program = new Command('tfjs-vit')
    .description('Vision Transformers for TensorFlow.js: classify images with timm weights, embed them, draw attention, inspect and convert checkpoints')
    .exitOverride()
    .showHelpAfterError('(add --help for usage)')
    .configureOutput({
      writeOut: (s) => io.out(s.replace(/\n$/, '')),
      writeErr: (s) => io.err(s.replace(/\n$/, '')),
    })
    .addHelpText('after', examples(
      'tfjs-vit predict cat.jpg --weights vit_base_patch16_224.augreg2_in21k_ft_in1k.safetensors',
      'tfjs-vit info checkpoint.pth',
      'tfjs-vit predict --help',
    ));
  predictCommand(program, ctx);
  workerCommand(program, ctx);
  embedCommand(program, ctx);
  attentionCommand(program, ctx);
  trainCommand(program, ctx);
  infoCommand(program, ctx);
  benchCommand(program, ctx);
  modelsCommand(program, ctx);
  convertCommand(program, ctx);
  return program;
}

/**
 * Runs the CLI on `argv` (without `node` and the script) and resolves to the exit code: 0 on
 * success, 1 on an error (printed as one line, `error CODE: message`, with the stack under
 * `--verbose`), 2 when the command finished but some inputs failed (e.g. unreadable images).
 *
 * @example
 * ```ts
 * const code = await runCli(['predict', 'cat.jpg', '--weights', 'vit.safetensors', '--json']);
 * ```
 */
export async function runCli(argv: readonly string[], io: CliIO = defaultIO): Promise<number> {
  const ctx = createContext(io);
  const program = buildProgram(io, ctx);
  tf.enableProdMode(); // no debug checks and no "install tfjs-node" banner in a CLI
  if (!argv.length) {
    io.err(program.helpInformation().replace(/\n$/, ''));
    return 1;
  }
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return ctx.exitCode;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode; // usage errors and --help: commander printed them
    const [first, ...rest] = errorLine(e).split('\n');
    io.err(first);
    for (const line of rest) io.err(`  ${line}`);
    const hint = (e as { hint?: string }).hint;
    if (hint) io.err(`hint: ${hint}`);
    if (argv.includes('--verbose') && e instanceof Error && e.stack) io.err(e.stack);
    return 1;
  }
}
