// Progress for long reads and writes: a cli-progress bar on a terminal, a few plain lines
// (0/25/50/75/100 %) when stderr is a pipe or a file, so logs stay readable.
import cliProgress from 'cli-progress';

/** A running progress report. */
export interface Progress {
  /** Sets the amount done (bytes or items). */
  update(done: number): void;
  /** Marks it complete and ends the line. */
  finish(): void;
}

/** Options of {@link createProgress}. */
export interface ProgressOptions {
  /** Where to write (default process.stderr). */
  stream?: NodeJS.WriteStream;
  /** 'bytes' shows sizes as MB; 'items' as counts (default 'bytes'). */
  unit?: 'bytes' | 'items';
  /** Force the plain-line mode (default: plain unless `stream.isTTY`). */
  plain?: boolean;
}

/** `1234567` → `'1.2 MB'`. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  return `${(n / 1024 ** 3).toFixed(2)} GB`;
}

/**
 * A progress bar for `label` up to `total`.
 *
 * @example
 * ```ts
 * const p = createProgress('reading vit.pth', size);
 * p.update(done);
 * p.finish();
 * ```
 */
export function createProgress(label: string, total: number, options: ProgressOptions = {}): Progress {
  const stream = options.stream ?? process.stderr;
  const unit = options.unit ?? 'bytes';
  const fmt = (n: number) => (unit === 'bytes' ? formatBytes(n) : String(n));
  if (!options.plain && stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      { format: `${label} [{bar}] {percentage}% | {amount}`, stream, hideCursor: true, clearOnComplete: false, etaBuffer: 20 },
      cliProgress.Presets.shades_classic,
    );
    bar.start(Math.max(total, 1), 0, { amount: `${fmt(0)} / ${fmt(total)}` });
    return {
      update: (done) => bar.update(Math.min(done, total), { amount: `${fmt(Math.min(done, total))} / ${fmt(total)}` }),
      finish: () => {
        bar.update(total, { amount: `${fmt(total)} / ${fmt(total)}` });
        bar.stop();
      },
    };
  }
  let printed = -1; // highest quarter printed so far
  let finished = false;
  const line = (pct: number, done: number) => stream.write(`${label}: ${pct}% (${fmt(done)} / ${fmt(total)})\n`);
  return {
    update(done) {
      const d = Math.min(done, total);
      const quarter = total > 0 ? Math.floor((4 * d) / total) * 25 : 100;
      if (quarter > printed && quarter < 100) {
        printed = quarter;
        line(quarter, d);
      }
    },
    finish() {
      if (finished) return;
      finished = true;
      line(100, total);
    },
  };
}
