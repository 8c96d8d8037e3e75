// The per-key part of a checkpoint load's report: every key that was not loaded, with the
// checkpoint's and the model's shapes, and the message a strict failure carries.
import { fmtShape } from '@tfjs-vit/ops';

/** A key a load did not copy, and why. */
export interface SkippedKey {
  key: string;
  /**
   * 'shape': in both, of other shapes (left at the model's values); 'unexpected': only in the
   * checkpoint; 'missing': only in the model (its own values kept); 'head': the checkpoint's head
   * of another size, left out on purpose (fine-tuning with a new head size).
   */
  reason: 'shape' | 'unexpected' | 'missing' | 'head';
  /** The shape in the checkpoint (timm's layout, after any resampling), or null when it has none. */
  checkpointShape: number[] | null;
  /** The model's shape, or null when it has no such parameter. */
  modelShape: number[] | null;
}

/**
 * Lines describing what did not load, with shapes, for errors and logs (`limit` per kind).
 *
 * @example
 * describeSkipped([{ key: 'extra.weight', reason: 'unexpected', checkpointShape: [4], modelShape: null }]);
 * // ['unexpected keys: extra.weight [4]']
 */
export function describeSkipped(skipped: readonly SkippedKey[], limit = 8): string[] {
  const lines: string[] = [];
  const few = (items: readonly SkippedKey[], shape: (s: SkippedKey) => number[] | null) => {
    const shown = items.slice(0, limit).map((s) => `${s.key} ${fmtShape(shape(s) ?? [])}`).join(', ');
    return shown + (items.length > limit ? `, … (${items.length} in all)` : '');
  };
  const of = (reason: SkippedKey['reason']) => skipped.filter((s) => s.reason === reason);
  const unexpected = of('unexpected');
  const missing = of('missing');
  if (unexpected.length) lines.push(`unexpected keys: ${few(unexpected, (s) => s.checkpointShape)}`);
  if (missing.length) lines.push(`missing keys: ${few(missing, (s) => s.modelShape)}`);
  const shape = of('shape');
  for (const s of shape.slice(0, limit)) lines.push(`${s.key}: expected ${fmtShape(s.modelShape ?? [])}, got ${fmtShape(s.checkpointShape ?? [])}`);
  if (shape.length > limit) lines.push(`… ${shape.length - limit} more keys of other shapes`);
  for (const s of of('head').slice(0, limit)) lines.push(`${s.key}: checkpoint head ${fmtShape(s.checkpointShape ?? [])} left out for the model's ${fmtShape(s.modelShape ?? [])}`);
  return lines;
}
