// `tfjs-vit models [filter]`: the registered models with their parameter counts.
import type { Command } from 'commander';
import { countModelParameters, listModels } from '@tfjs-vit/models';
import type { CliContext } from './context';
import { examples } from './options';

/**
 * Rows `[name, params]` of the registered models matching `filter` (wildcards as `listModels`).
 *
 * @example
 * ```ts
 * modelRows('vit_tiny*'); // [['vit_tiny_patch16_224', 5717416], …]
 * ```
 */
export function modelRows(filter?: string): [string, number][] {
  return listModels(filter).map((name) => {
    try {
      return [name, countModelParameters(name)];
    } catch {
      return [name, Number.NaN]; // registered with a factory only: nothing to count from
    }
  });
}

/** The table `tfjs-vit models` prints: name and parameters in millions, aligned. */
export function formatModelTable(rows: readonly [string, number][]): string {
  const width = Math.max(5, ...rows.map(([n]) => n.length));
  const lines = [`${'model'.padEnd(width)}  params`];
  for (const [name, n] of rows) lines.push(`${name.padEnd(width)}  ${(Number.isNaN(n) ? '?' : `${(n / 1e6).toFixed(1)}M`).padStart(8)}`);
  return lines.join('\n');
}

/** Registers `models` on the program. */
export function modelsCommand(program: Command, ctx: CliContext): void {
  program
    .command('models')
    .description('list the registered models (timm names) with their parameter counts')
    .argument('[filter]', "a glob, e.g. 'vit_small*'")
    .option('-f, --filter <glob>', 'the same as the positional filter')
    .addHelpText('after', examples("tfjs-vit models 'vit_*_patch16_224'", 'tfjs-vit models --filter test_vit*'))
    .action((filter: string | undefined, o: { filter?: string }) => {
      const f = filter ?? o.filter;
      const rows = modelRows(f);
      if (rows.length) ctx.out(formatModelTable(rows));
      else {
        ctx.err(`no models match '${f}'`);
        ctx.exitCode = 1;
      }
    });
}
