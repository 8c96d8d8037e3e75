// Resize: torchvision's `Resize` on PIL images (shorter-side or exact size, PIL's filters).
import { TransformArgumentError } from './errors';
import { requireRGBImage, type Pixels, type RGBImage } from './image';
import { resampleImage, type Interpolation } from './resample';
import type { PixelTransform, Transform, TransformSpec } from './transform';

/** Options of {@link Resize} / {@link resize}. */
export interface ResizeOptions {
  /** Default 'bilinear', like torchvision. */
  interpolation?: Interpolation;
  /** Scale the filter support when downsampling (PIL always does). Default true. */
  antialias?: boolean;
  /** With an int size: the longer side is capped at this (torchvision's `max_size`). */
  maxSize?: number;
}

/**
 * The output `[height, width]` torchvision computes: an int resizes the shorter side to `size` and
 * the longer to `int(size * long / short)` (truncated), capped by `maxSize`; `[h, w]` is exact.
 *
 * @example
 * resizedSize(480, 640, 256); // [256, 341]
 */
export function resizedSize(
  height: number,
  width: number,
  size: number | readonly [number, number],
  maxSize?: number,
): [number, number] {
  if (typeof size !== 'number') return [size[0], size[1]];
  const [short, long] = width <= height ? [width, height] : [height, width];
  let newShort = size;
  let newLong = Math.trunc((size * long) / short);
  if (maxSize !== undefined) {
    if (maxSize <= size) {
      throw new TransformArgumentError(`Resize: maxSize (${maxSize}) must be greater than size (${size})`);
    }
    if (newLong > maxSize) {
      newShort = Math.trunc((maxSize * newShort) / newLong);
      newLong = maxSize;
    }
  }
  return width <= height ? [newLong, newShort] : [newShort, newLong];
}

function checkSize(what: string, size: number | readonly number[]): void {
  const parts = typeof size === 'number' ? [size] : size;
  if ((typeof size !== 'number' && size.length !== 2) || !parts.every((v) => Number.isInteger(v) && v > 0)) {
    throw new TransformArgumentError(`${what}: size must be a positive int or [h, w], got ${JSON.stringify(size)}`);
  }
}

/**
 * Resizes `img` like `torchvision.transforms.functional.resize` on a PIL image.
 *
 * @example
 * const out = resize(img, 256, { interpolation: 'bicubic' }); // shorter side → 256
 */
export function resize(img: RGBImage, size: number | readonly [number, number], options: ResizeOptions = {}): RGBImage {
  requireRGBImage('resize', img);
  checkSize('resize', size);
  const [h, w] = resizedSize(img.height, img.width, size, options.maxSize);
  return resampleImage(img, w, h, options.interpolation ?? 'bilinear', options.antialias ?? true);
}

/**
 * The module form of {@link resize}.
 *
 * @example
 * const t = new Resize(64, { interpolation: 'bilinear' });
 * const out = t.call(img);
 */
export class Resize implements Transform<RGBImage, RGBImage>, PixelTransform {
  readonly size: number | [number, number];
  readonly options: ResizeOptions;
  constructor(size: number | readonly [number, number], options: ResizeOptions = {}) {
    checkSize('Resize', size);
    if (options.maxSize !== undefined && typeof size !== 'number') {
      throw new TransformArgumentError('Resize: maxSize is only allowed with an int size');
    }
    this.size = typeof size === 'number' ? size : [size[0], size[1]];
    this.options = { ...options };
  }
  call(img: RGBImage): RGBImage {
    return resize(img, this.size, this.options);
  }
  apply(img: Pixels): Pixels {
    return this.call(img as RGBImage);
  }
  toSpec(): TransformSpec {
    return { type: 'Resize', args: [this.size, this.options] };
  }
}
