// RandomResizedCrop: torchvision's sampling (10 tries of area × log-uniform ratio, then the center
// fallback), then crop and resize with PIL's filters.
import { crop, sizePair } from './crop';
import { TransformArgumentError } from './errors';
import { requireRGBImage, type Pixels, type RGBImage } from './image';
import { resampleImage, type Interpolation } from './resample';
import { Rng } from './rng';
import { pickRng, roundHalfEven, type PixelTransform, type Transform, type TransformContext, type TransformSpec } from './transform';

/** Options of {@link RandomResizedCrop}. */
export interface RandomResizedCropOptions {
  /** Range of the crop's area as a fraction of the image's. Default [0.08, 1]. */
  scale?: readonly [number, number];
  /** Range of the crop's aspect ratio w/h, sampled log-uniformly. Default [3/4, 4/3]. */
  ratio?: readonly [number, number];
  /** Default 'bilinear'. */
  interpolation?: Interpolation;
  antialias?: boolean;
  /** Seed of this transform's own PRNG (used when the caller passes no rng). */
  seed?: number;
}

/** A crop window: `[top, left, height, width]`. */
export type CropParams = [number, number, number, number];

/**
 * Samples a crop window like `torchvision.transforms.RandomResizedCrop.get_params`.
 *
 * @example
 * const [top, left, h, w] = randomResizedCropParams(480, 640, [0.08, 1], [3 / 4, 4 / 3], new Rng(0));
 */
export function randomResizedCropParams(
  height: number,
  width: number,
  scale: readonly [number, number],
  ratio: readonly [number, number],
  rng: Rng,
): CropParams {
  const area = height * width;
  const logRatio = [Math.log(ratio[0]), Math.log(ratio[1])];
  for (let attempt = 0; attempt < 10; attempt++) {
    const targetArea = area * rng.uniform(scale[0], scale[1]);
    const aspect = Math.exp(rng.uniform(logRatio[0], logRatio[1]));
    const w = roundHalfEven(Math.sqrt(targetArea * aspect));
    const h = roundHalfEven(Math.sqrt(targetArea / aspect));
    if (w > 0 && w <= width && h > 0 && h <= height) {
      const top = rng.randint(0, height - h + 1);
      const left = rng.randint(0, width - w + 1);
      return [top, left, h, w];
    }
  }
  const inRatio = width / height;
  const lo = Math.min(ratio[0], ratio[1]);
  const hi = Math.max(ratio[0], ratio[1]);
  let w = width;
  let h = height;
  if (inRatio < lo) h = roundHalfEven(w / lo);
  else if (inRatio > hi) w = roundHalfEven(h * hi);
  return [Math.floor((height - h) / 2), Math.floor((width - w) / 2), h, w];
}

/**
 * Crops the window `[top, left, h, w]` and resizes it to `size` (torchvision's `resized_crop`).
 *
 * @example
 * const out = resizedCrop(img, [10, 20, 100, 120], 224, 'bicubic');
 */
export function resizedCrop(
  img: RGBImage,
  params: CropParams,
  size: number | readonly [number, number],
  interpolation: Interpolation = 'bilinear',
  antialias = true,
): RGBImage {
  const [oh, ow] = sizePair('resizedCrop', size);
  const window = crop(img, params[0], params[1], params[2], params[3]);
  return resampleImage(window, ow, oh, interpolation, antialias);
}

/**
 * Random crop of random area and aspect ratio, resized to `size`: the train-time crop of timm and
 * torchvision. Seed it with `{seed}` or pass `{rng}` per call.
 *
 * @example
 * const t = new RandomResizedCrop(224, { scale: [0.08, 1], seed: 0 });
 * const out = t.call(img);
 */
export class RandomResizedCrop implements Transform<RGBImage, RGBImage>, PixelTransform {
  readonly size: [number, number];
  readonly scale: [number, number];
  readonly ratio: [number, number];
  readonly interpolation: Interpolation;
  readonly antialias: boolean;
  private readonly seed: number | undefined;
  private readonly rng: Rng;

  constructor(size: number | readonly [number, number], options: RandomResizedCropOptions = {}) {
    this.size = sizePair('RandomResizedCrop', size);
    this.scale = [...(options.scale ?? [0.08, 1])] as [number, number];
    this.ratio = [...(options.ratio ?? [3 / 4, 4 / 3])] as [number, number];
    if (!(this.scale[0] > 0 && this.scale[0] <= this.scale[1])) {
      throw new TransformArgumentError(`RandomResizedCrop: scale must be 0 < min ≤ max, got [${this.scale}]`);
    }
    if (!(this.ratio[0] > 0 && this.ratio[0] <= this.ratio[1])) {
      throw new TransformArgumentError(`RandomResizedCrop: ratio must be 0 < min ≤ max, got [${this.ratio}]`);
    }
    this.interpolation = options.interpolation ?? 'bilinear';
    this.antialias = options.antialias ?? true;
    this.seed = options.seed;
    this.rng = new Rng(options.seed);
  }

  /** Samples this call's window without cropping. */
  params(img: RGBImage, ctx?: TransformContext): CropParams {
    return randomResizedCropParams(img.height, img.width, this.scale, this.ratio, pickRng(ctx, this.rng));
  }

  call(img: RGBImage, ctx?: TransformContext): RGBImage {
    requireRGBImage('RandomResizedCrop', img);
    return resizedCrop(img, this.params(img, ctx), this.size, this.interpolation, this.antialias);
  }
  apply(img: Pixels, ctx?: TransformContext): Pixels {
    return this.call(img as RGBImage, ctx);
  }
  toSpec(): TransformSpec {
    const { scale, ratio, interpolation, antialias, seed } = this;
    return { type: 'RandomResizedCrop', args: [this.size, { scale, ratio, interpolation, antialias, seed }] };
  }
}
