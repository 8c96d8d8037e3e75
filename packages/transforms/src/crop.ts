// Crop, pad and CenterCrop with torchvision's arithmetic (banker's rounding; zero padding, or a fill
// colour as timm's CenterCropOrPad).
import { TransformArgumentError } from './errors';
import { requireRGBImage, type Pixels, type RGBImage } from './image';
import { roundHalfEven, type PixelTransform, type Transform, type TransformSpec } from './transform';

/**
 * The `height` × `width` window at (`top`, `left`); pixels outside the image are 0, as PIL's crop,
 * or the `fill` colour (one value per channel).
 *
 * @example
 * const patch = crop(img, 10, 20, 64, 64);
 */
export function crop(img: RGBImage, top: number, left: number, height: number, width: number, fill?: readonly number[]): RGBImage {
  requireRGBImage('crop', img);
  const C = img.channels;
  const out = new Uint8Array(height * width * C);
  if (fill && fill.some((v) => v !== 0)) {
    if (fill.length !== C) throw new TransformArgumentError(`crop: fill has ${fill.length} values for ${C} channels`);
    for (let i = 0; i < out.length; i++) out[i] = fill[i % C];
  }
  for (let y = 0; y < height; y++) {
    const sy = top + y;
    if (sy < 0 || sy >= img.height) continue;
    const x0 = Math.max(0, -left);
    const x1 = Math.min(width, img.width - left);
    if (x1 <= x0) continue;
    const src = (sy * img.width + left + x0) * C;
    out.set(img.data.subarray(src, src + (x1 - x0) * C), (y * width + x0) * C);
  }
  return { data: out, width, height, channels: C };
}

/** Normalises an int or `[h, w]` into `[h, w]`. */
export function sizePair(what: string, size: number | readonly number[]): [number, number] {
  const pair = typeof size === 'number' ? [size, size] : [...size];
  if (pair.length !== 2 || !pair.every((v) => Number.isInteger(v) && v > 0)) {
    throw new TransformArgumentError(`${what}: size must be a positive int or [h, w], got ${JSON.stringify(size)}`);
  }
  return [pair[0], pair[1]];
}

/** Options of {@link centerCrop}. */
export interface CenterCropOptions {
  /** Colour of the padding when the crop is larger than the image (default 0: torchvision's CenterCrop). */
  fill?: readonly number[];
}

/**
 * Crops the center like torchvision: offsets `round((H - h) / 2)` with Python's rounding; when the
 * crop is larger than the image the image is first padded (`floor` before, `ceil` after) with 0,
 * or with `fill` (timm's `CenterCropOrPad`).
 *
 * @example
 * const out = centerCrop(img, 224);
 * const boxed = centerCrop(img, 224, { fill: [124, 116, 104] });
 */
export function centerCrop(img: RGBImage, size: number | readonly [number, number], options: CenterCropOptions = {}): RGBImage {
  requireRGBImage('centerCrop', img);
  const [ch, cw] = sizePair('centerCrop', size);
  let { height: H, width: W } = img;
  let padTop = 0;
  let padLeft = 0;
  if (cw > W || ch > H) {
    padLeft = cw > W ? Math.floor((cw - W) / 2) : 0;
    padTop = ch > H ? Math.floor((ch - H) / 2) : 0;
    W += cw > W ? cw - W : 0;
    H += ch > H ? ch - H : 0;
  }
  const top = roundHalfEven((H - ch) / 2) - padTop;
  const left = roundHalfEven((W - cw) / 2) - padLeft;
  return crop(img, top, left, ch, cw, options.fill);
}

/**
 * The module form of {@link centerCrop}.
 *
 * @example
 * new CenterCrop(224).call(img);
 */
export class CenterCrop implements Transform<RGBImage, RGBImage>, PixelTransform {
  readonly size: [number, number];
  readonly options: CenterCropOptions;
  constructor(size: number | readonly [number, number], options: CenterCropOptions = {}) {
    this.size = sizePair('CenterCrop', size);
    this.options = options.fill ? { fill: [...options.fill] } : {};
  }
  call(img: RGBImage): RGBImage {
    return centerCrop(img, this.size, this.options);
  }
  apply(img: Pixels): Pixels {
    return this.call(img as RGBImage);
  }
  toSpec(): TransformSpec {
    return { type: 'CenterCrop', args: this.options.fill ? [this.size, this.options] : [this.size] };
  }
}
