// ResizeKeepRatio: timm's resize that keeps the aspect ratio while fitting a target box — by the
// shorter side (`longest` 0, timm's eval 'center' mode for non-square sizes), the longer side
// (`longest` 1, the 'border' mode) or a blend of the two.
import { TransformArgumentError } from './errors';
import { requireRGBImage, type Pixels, type RGBImage } from './image';
import { sizePair } from './crop';
import { resampleImage, type Interpolation } from './resample';
import { roundHalfEven, type PixelTransform, type Transform, type TransformSpec } from './transform';

/** Options of {@link ResizeKeepRatio} / {@link resizeKeepRatio}. */
export interface ResizeKeepRatioOptions {
  /** 0 (default): the scale fits the shorter side to the box; 1: the longer side; between: a blend. */
  longest?: number;
  /** Default 'bilinear', as timm's ResizeKeepRatio. */
  interpolation?: Interpolation;
}

/**
 * The `[height, width]` timm's `ResizeKeepRatio.get_params` computes (no random scale or aspect):
 * each side divided by `max(rh, rw)·longest + min(rh, rw)·(1 − longest)`, where `rh = H / h` and
 * `rw = W / w`, rounded half to even as Python's `round`.
 *
 * @example
 * keepRatioSize(480, 640, [256, 256], 0); // [256, 341]
 */
export function keepRatioSize(height: number, width: number, size: readonly [number, number], longest = 0): [number, number] {
  const rh = height / size[0];
  const rw = width / size[1];
  const ratio = Math.max(rh, rw) * longest + Math.min(rh, rw) * (1 - longest);
  return [Math.max(1, roundHalfEven(height / ratio)), Math.max(1, roundHalfEven(width / ratio))];
}

/**
 * Resizes `img` to {@link keepRatioSize} with PIL's filters.
 *
 * @example
 * const out = resizeKeepRatio(img, [230, 307], { longest: 1, interpolation: 'bicubic' });
 */
export function resizeKeepRatio(img: RGBImage, size: number | readonly [number, number], options: ResizeKeepRatioOptions = {}): RGBImage {
  requireRGBImage('resizeKeepRatio', img);
  const [h, w] = keepRatioSize(img.height, img.width, sizePair('resizeKeepRatio', size), options.longest ?? 0);
  return resampleImage(img, w, h, options.interpolation ?? 'bilinear');
}

/**
 * The module form of {@link resizeKeepRatio}.
 *
 * @example
 * const t = new ResizeKeepRatio([256, 320], { longest: 1, interpolation: 'bicubic' });
 */
export class ResizeKeepRatio implements Transform<RGBImage, RGBImage>, PixelTransform {
  readonly size: [number, number];
  readonly options: ResizeKeepRatioOptions;
  constructor(size: number | readonly [number, number], options: ResizeKeepRatioOptions = {}) {
    this.size = sizePair('ResizeKeepRatio', size);
    const longest = options.longest ?? 0;
    if (!(longest >= 0 && longest <= 1)) throw new TransformArgumentError(`ResizeKeepRatio: longest must be in [0, 1], got ${longest}`);
    this.options = { ...options };
  }
  call(img: RGBImage): RGBImage {
    return resizeKeepRatio(img, this.size, this.options);
  }
  apply(img: Pixels): Pixels {
    return this.call(img as RGBImage);
  }
  toSpec(): TransformSpec {
    return { type: 'ResizeKeepRatio', args: [this.size, this.options] };
  }
}
