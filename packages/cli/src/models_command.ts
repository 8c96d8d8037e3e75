// `tfjs-vit models [filter]`: the registered models with their parameter counts.
import { countParameters, getModelConfig, listModels } from '@tfjs-vit/models';

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
      return [name, countParameters(getModelConfig(name))];
    } catch {
      return [name, Number.NaN]; // registered with a factory only: no config to count from
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
