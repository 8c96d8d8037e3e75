// A JSON-lines metric log: one object per line, appended as training goes (crash-tolerant).
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Appends one JSON object per line to `path` (creating its directory). Non-finite numbers are
 * written as strings ("NaN", "Infinity") so every line stays valid JSON.
 *
 * @example
 * ```ts
 * const log = new JsonlLogger('runs/a/metrics.jsonl');
 * log.write({ type: 'epoch', epoch: 0, valAcc: 0.81 });
 * ```
 */
export class JsonlLogger {
  readonly path: string;
  constructor(path: string) {
    this.path = path;
    mkdirSync(dirname(path), { recursive: true });
  }

  /** Appends `record` as one line. */
  write(record: Record<string, unknown>): void {
    const line = JSON.stringify(record, (_, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v));
    appendFileSync(this.path, line + '\n');
  }
}
