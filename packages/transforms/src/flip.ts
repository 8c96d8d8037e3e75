// Horizontal flip, always (hflip) or with probability p (RandomHorizontalFlip).
import { TransformArgumentError } from './errors';
import { checkImage, type Pixels } from './image';
import { Rng } from './rng';
import { pickRng, type PixelTransform, type Transform, type TransformContext, type TransformSpec } from './transform';

/**
 * Mirrors an HWC image left–right (uint8 or float32).
 *
 * @example
 * const mirrored = hflip(img);
 */
export function hflip<T extends Pixels>(img: T): T {
  checkImage('hflip', img);
  const { width: W, height: H, channels: C } = img;
  const out = new (img.data.constructor as { new (n: number): T['data'] })(img.data.length);
  for (let y = 0; y < H; y++) {
    const row = y * W * C;
    for (let x = 0; x < W; x++) {
      const s = row + x * C;
      const d = row + (W - 1 - x) * C;
      for (let c = 0; c < C; c++) out[d + c] = img.data[s + c];
    }
  }
  return { ...img, data: out };
}

/**
 * Flips with probability `p` (default 0.5), as torchvision's `RandomHorizontalFlip`.
 *
 * @example
 * const t = new RandomHorizontalFlip(0.5, { seed: 0 });
 * const out = t.call(img);
 */
export class RandomHorizontalFlip implements Transform<Pixels, Pixels>, PixelTransform {
  readonly p: number;
  private readonly seed: number | undefined;
  private readonly rng: Rng;
  constructor(p = 0.5, options: { seed?: number } = {}) {
    if (!(p >= 0 && p <= 1)) throw new TransformArgumentError(`RandomHorizontalFlip: p must be in [0, 1], got ${p}`);
    this.p = p;
    this.seed = options.seed;
    this.rng = new Rng(options.seed);
  }
  call<T extends Pixels>(img: T, ctx?: TransformContext): T {
    return pickRng(ctx, this.rng).random() < this.p ? hflip(img) : img;
  }
  apply(img: Pixels, ctx?: TransformContext): Pixels {
    return this.call(img, ctx);
  }
  toSpec(): TransformSpec {
    return { type: 'RandomHorizontalFlip', args: [this.p, { seed: this.seed }] };
  }
}
