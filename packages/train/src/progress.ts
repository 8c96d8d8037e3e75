// The terminal progress line: loss, accuracy, lr, images/s. Redrawn in place on a TTY, plain
// lines every N batches when piped or in CI.

/** One batch's numbers for the progress line. */
export interface ProgressInfo {
  epoch: number;
  epochs: number;
  batch: number;
  /** Batches per epoch, when the source knows it. */
  batches?: number;
  loss: number;
  accuracy?: number;
  lr: number;
  imagesPerSec: number;
}

/**
 * Formats the progress line, e.g. `epoch 2/10 [#####-----] 50/100 loss 0.5321 acc 81.2% lr 4.0e-4 1234 img/s`.
 *
 * @example
 * ```ts
 * formatProgress({ epoch: 0, epochs: 5, batch: 9, loss: 0.7, lr: 1e-3, imagesPerSec: 500 });
 * ```
 */
export function formatProgress(p: ProgressInfo, barWidth = 20): string {
  const parts = [`epoch ${p.epoch + 1}/${p.epochs}`];
  if (p.batches) {
    const done = Math.min(barWidth, Math.round(((p.batch + 1) / p.batches) * barWidth));
    parts.push(`[${'#'.repeat(done)}${'-'.repeat(barWidth - done)}] ${p.batch + 1}/${p.batches}`);
  } else {
    parts.push(`batch ${p.batch + 1}`);
  }
  parts.push(`loss ${p.loss.toFixed(4)}`);
  if (p.accuracy !== undefined) parts.push(`acc ${(p.accuracy * 100).toFixed(1)}%`);
  parts.push(`lr ${p.lr.toExponential(2)}`);
  parts.push(`${Math.round(p.imagesPerSec)} img/s`);
  return parts.join(' ');
}

/** Where and how progress is written. */
export interface ProgressOptions {
  /** Default `process.stderr`. */
  stream?: { write(s: string): unknown; isTTY?: boolean };
  /** Redraw in place; default: the stream is a TTY and `CI` is not set. */
  tty?: boolean;
  /** Plain mode: a line every this many batches (default 50). */
  every?: number;
}

/**
 * Writes progress lines. On a TTY the batch line is redrawn with `\r`; otherwise (a pipe, a CI
 * log) a plain line is written every `every` batches, so logs stay readable.
 *
 * @example
 * ```ts
 * const bar = new ProgressPrinter({ every: 100 });
 * bar.batch(info); bar.line('epoch 1: val acc 91.2%');
 * ```
 */
export class ProgressPrinter {
  private readonly stream: { write(s: string): unknown; isTTY?: boolean };
  readonly tty: boolean;
  private readonly every: number;
  private dirty = false;

  constructor(options: ProgressOptions = {}) {
    this.stream = options.stream ?? process.stderr;
    this.tty = options.tty ?? (!!this.stream.isTTY && !process.env.CI);
    this.every = options.every ?? 50;
  }

  /** Reports one batch. */
  batch(info: ProgressInfo): void {
    const text = formatProgress(info);
    if (this.tty) {
      this.stream.write(`\r\x1b[2K${text}`);
      this.dirty = true;
    } else if ((info.batch + 1) % this.every === 0) {
      this.stream.write(text + '\n');
    }
  }

  /** Writes a whole line (ending the redrawn batch line first on a TTY). */
  line(text: string): void {
    if (this.dirty) this.stream.write('\n');
    this.dirty = false;
    this.stream.write(text + '\n');
  }
}
