// The transform contract: `call(input)` like torchvision's `__call__`, plus the pure-pixel form the
// loader runs in worker threads, and a serialisable spec so a worker can rebuild the pipeline.
import type { Pixels } from './image';
import { Rng } from './rng';

/** Per-call state: the loader passes a per-sample `rng` so results do not depend on scheduling. */
export interface TransformContext {
  rng?: Rng;
}

/** A plain-data description of a transform: `{type: 'Resize', args: [256, {interpolation: 'bicubic'}]}`. */
export interface TransformSpec {
  type: string;
  args: unknown[];
}

/**
 * Anything with `call(input)`. Built-in transforms also implement {@link PixelTransform}.
 *
 * @example
 * const t: Transform<RGBImage, RGBImage> = new CenterCrop(224);
 */
export interface Transform<I = unknown, O = unknown> {
  call(input: I, ctx?: TransformContext): O;
}

/**
 * A transform that works on raw pixels (uint8 or float32 HWC), with no tensors: what runs inside
 * DataLoader workers. `toSpec()` lets a worker rebuild it.
 */
export interface PixelTransform {
  apply(input: Pixels, ctx?: TransformContext): Pixels;
  toSpec(): TransformSpec;
}

/** True when `t` can run on raw pixels in a worker. */
export function isPixelTransform(t: unknown): t is PixelTransform {
  return (
    typeof t === 'object' && t !== null &&
    typeof (t as PixelTransform).apply === 'function' && typeof (t as PixelTransform).toSpec === 'function'
  );
}

/** The rng a random transform uses: the caller's when given, else its own seeded one. */
export function pickRng(ctx: TransformContext | undefined, own: Rng): Rng {
  return ctx?.rng ?? own;
}

/** Python's round(): halves go to the even neighbour (torchvision's crop arithmetic relies on it). */
export function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const diff = x - f;
  if (diff > 0.5) return f + 1;
  if (diff < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}
