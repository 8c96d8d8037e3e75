// The error of the tfjs web-format readers: a model.json or a shard that is not what they expect.
import { TfjsVitError } from '@tfjs-vit/ops';

/**
 * A model.json or its shards are not what our loader expects (code `TFJS_FORMAT`).
 *
 * @example
 * ```ts
 * try { await loadModel('web/vit'); } catch (e) { if (e instanceof TfjsFormatError) console.error(e.message); }
 * ```
 */
export class TfjsFormatError extends TfjsVitError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('TFJS_FORMAT', message, options);
  }
}
