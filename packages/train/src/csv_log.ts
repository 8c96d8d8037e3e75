// A CSV metric log: a header row, then one row per record, appended as training goes.
import { appendFileSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { ArgumentError } from '@tfjs-vit/ops';

/** The columns the Trainer writes to `metrics.csv` (batch and epoch records share them; blanks where absent). */
export const TRAINER_CSV_COLUMNS = [
  'type', 'epoch', 'batch', 'step', 'loss', 'accuracy', 'trainLoss', 'trainAcc', 'valLoss', 'valAcc', 'valTop5',
  'lr', 'imagesPerSec', 'seconds',
] as const;

function cell(v: unknown): string {
  if (v === undefined || v === null) return '';
  const s = typeof v === 'number' ? String(v) : typeof v === 'string' ? v : JSON.stringify(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function firstLine(path: string): string {
  return readFileSync(path, 'utf8').split('\n', 1)[0];
}

/**
 * Appends records as CSV rows to `path` (creating its directory). The columns are `columns`, or
 * the keys of the first record written; a key outside them is ignored and a missing one is a blank
 * cell. Numbers are written with `String` (NaN / Infinity as such, which pandas and R read), and
 * text with a comma, quote or newline is quoted (RFC 4180). An existing file with the same header
 * is appended to (a resumed run); one with another header throws `ArgumentError`.
 *
 * @example
 * ```ts
 * const csv = new CsvLogger('runs/a/metrics.csv', ['epoch', 'trainLoss', 'valAcc']);
 * csv.write({ epoch: 0, trainLoss: 1.2, valAcc: 0.81 }); // "0,1.2,0.81"
 * ```
 */
export class CsvLogger {
  readonly path: string;
  private cols: string[] | undefined;

  constructor(path: string, columns?: readonly string[]) {
    this.path = path;
    mkdirSync(dirname(path), { recursive: true });
    if (columns) {
      if (columns.length === 0 || new Set(columns).size !== columns.length) {
        throw new ArgumentError(`CsvLogger: columns must be non-empty and distinct, got ${JSON.stringify(columns)}`);
      }
      this.cols = [...columns];
      this.checkOrWriteHeader();
    }
  }

  /** The columns, once known (given, or taken from the first record). */
  get columns(): readonly string[] | undefined {
    return this.cols;
  }

  private checkOrWriteHeader(): void {
    const header = this.cols!.map(cell).join(',');
    if (existsSync(this.path) && statSync(this.path).size > 0) {
      const found = firstLine(this.path);
      if (found !== header) throw new ArgumentError(`CsvLogger: ${this.path} has header "${found}", expected "${header}"`);
      return;
    }
    appendFileSync(this.path, header + '\n');
  }

  /** Appends `record` as one row. */
  write(record: Record<string, unknown>): void {
    if (!this.cols) {
      this.cols = Object.keys(record);
      if (this.cols.length === 0) throw new ArgumentError('CsvLogger: the first record has no keys to make columns of');
      this.checkOrWriteHeader();
    }
    appendFileSync(this.path, this.cols.map((c) => cell(record[c])).join(',') + '\n');
  }
}
