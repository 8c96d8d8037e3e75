// Typed errors of the training loop (subclasses of @tfjs-vit/ops' TfjsVitError, each with its code).
import { TfjsVitError } from '@tfjs-vit/ops';

/**
 * The loss became NaN or ±Inf. The run stops; the last checkpoint written before this step (if
 * any) is untouched, and `lastCheckpoint` names its directory.
 *
 * @example
 * ```ts
 * try { await trainer.fit(); } catch (e) { if (e instanceof NonFiniteLossError) console.log(e.step); }
 * ```
 */
export class NonFiniteLossError extends TfjsVitError {
  readonly step: number;
  readonly epoch: number;
  readonly loss: number;
  readonly lastCheckpoint: string | undefined;
  constructor(step: number, epoch: number, loss: number, lastCheckpoint?: string) {
    super(
      'NON_FINITE_LOSS',
      `loss is ${loss} at step ${step} (epoch ${epoch}); expected a finite number` +
        (lastCheckpoint ? `; last good checkpoint: ${lastCheckpoint}` : ''),
    );
    this.step = step;
    this.epoch = epoch;
    this.loss = loss;
    this.lastCheckpoint = lastCheckpoint;
  }
}

/**
 * A checkpoint could not be read or does not fit the model / optimizer it is loaded into.
 *
 * @example
 * ```ts
 * await loadCheckpoint('missing-dir', { model }); // throws TrainingCheckpointError
 * ```
 */
export class TrainingCheckpointError extends TfjsVitError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('TRAINING_CHECKPOINT', message, options);
  }
}
