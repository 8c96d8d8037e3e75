// createTransform: timm's create_transform for the two pipelines a ViT needs — eval (resize by
// crop_pct and crop, in timm's three crop modes, then to tensor and normalize) and train
// (RandomResizedCrop, horizontal flip, to tensor, normalize).
import { Compose } from './compose';
import { CenterCrop } from './crop';
import { TransformArgumentError } from './errors';
import { RandomHorizontalFlip } from './flip';
import { IMAGENET_DEFAULT_MEAN, IMAGENET_DEFAULT_STD, Normalize } from './normalize';
import { RandAugment } from './rand_augment';
import { RandomResizedCrop } from './random_resized_crop';
import type { Interpolation } from './resample';
import { Resize } from './resize';
import { ResizeKeepRatio } from './resize_keep_ratio';
import { ToTensor } from './to_tensor';
import { roundHalfEven } from './transform';

/** timm's default crop_pct. */
export const DEFAULT_CROP_PCT = 0.875;

/**
 * timm's eval crop modes: 'center' keeps the aspect ratio and crops (image lost at the sides),
 * 'squash' resizes each side to size / cropPct and crops (aspect ratio not kept), 'border' fits
 * the longer side and pads with the mean colour (nothing lost when cropPct is 1).
 */
export type CropMode = 'center' | 'squash' | 'border';

/** The crop modes {@link createTransform} accepts. */
export const CROP_MODES: readonly CropMode[] = ['center', 'squash', 'border'];

/** Options of {@link createTransform}: a model's pretrained metadata plus train-time knobs. */
export interface CreateTransformOptions {
  isTraining?: boolean;
  /** Output size: an int (square) or `[h, w]`; a timm `input_size` `[3, h, w]` is accepted too. */
  inputSize: number | readonly number[];
  /** Default 'bilinear' (timm's create_transform default); ViT pretrained configs say 'bicubic'. */
  interpolation?: Interpolation;
  mean?: readonly number[];
  std?: readonly number[];
  /** Eval only: the center crop keeps this fraction. Default 0.875. */
  cropPct?: number;
  /** Eval only: how the image is fitted to the input size (timm's crop_mode). Default 'center'. */
  cropMode?: CropMode;
  /** Train only: RandomResizedCrop area range. Default [0.08, 1]. */
  scale?: readonly [number, number];
  /** Train only: RandomResizedCrop aspect-ratio range. Default [3/4, 4/3]. */
  ratio?: readonly [number, number];
  /** Train only: horizontal flip probability. Default 0.5. */
  hflip?: number;
  /** Train only: timm auto-augment string, 'rand-…' (RandAugment), e.g. 'rand-m9-mstd0.5-inc1'. */
  autoAugment?: string;
  /** Seed of the train pipeline's own PRNG (DataLoader passes per-sample streams instead). */
  seed?: number;
}

function outputSize(inputSize: number | readonly number[]): [number, number] {
  const s = typeof inputSize === 'number' ? [inputSize, inputSize] : inputSize.length === 3 ? inputSize.slice(1) : inputSize;
  if (s.length !== 2 || !s.every((v) => Number.isInteger(v) && v > 0)) {
    throw new TransformArgumentError(`createTransform: inputSize must be n, [h, w] or [c, h, w], got ${JSON.stringify(inputSize)}`);
  }
  return [s[0], s[1]];
}

/**
 * The timm-style pipeline for a model (timm 1.0's `transforms_imagenet_eval` /
 * `transforms_imagenet_train`): `Compose` of pixel transforms ending in `ToTensor` and `Normalize`,
 * so it also runs inside DataLoader workers.
 *
 * Eval, with `scale = floor(size / cropPct)` per side:
 * - 'center' (default): `Resize(scale)` on the shorter side (for a non-square size timm's
 *   `ResizeKeepRatio(scale)`, which is bilinear whatever `interpolation` says) → `CenterCrop(size)`;
 * - 'squash': `Resize([scaleH, scaleW])` exactly → `CenterCrop(size)`;
 * - 'border': `ResizeKeepRatio(scale, longest 1)` → `CenterCrop(size)` padding with the mean
 *   colour (`round(255 · mean)`, timm's `CenterCropOrPad`);
 * then `ToTensor` → `Normalize`.
 * Train: `RandomResizedCrop(size, {scale, ratio})` → `RandomHorizontalFlip(hflip)` →
 * [`RandAugment(autoAugment)`] → `ToTensor` → `Normalize`. (timm's train default also applies ColorJitter(0.4); this pipeline does not.)
 *
 * @example
 * const evalT = createTransform({ inputSize: 224, interpolation: 'bicubic', cropPct: 0.9,
 *   mean: IMAGENET_INCEPTION_MEAN, std: IMAGENET_INCEPTION_STD });
 * const x = evalT.call(await loadImage('cat.jpg')); // tf.Tensor3D [224, 224, 3]
 */
export function createTransform(options: CreateTransformOptions): Compose {
  const [h, w] = outputSize(options.inputSize);
  const interpolation = options.interpolation ?? 'bilinear';
  const mean = options.mean ?? IMAGENET_DEFAULT_MEAN;
  const std = options.std ?? IMAGENET_DEFAULT_STD;
  const tail = [new ToTensor(), new Normalize(mean, std)];
  if (options.isTraining) {
    const steps = [
      new RandomResizedCrop([h, w], { scale: options.scale, ratio: options.ratio, interpolation, seed: options.seed }),
    ] as Compose['transforms'];
    const p = options.hflip ?? 0.5;
    if (p > 0) steps.push(new RandomHorizontalFlip(p, { seed: options.seed === undefined ? undefined : options.seed + 1 }));
    if (options.autoAugment) {
      // timm: fill with the mean colour, resample with the pipeline's interpolation.
      const fill = mean.map((m) => Math.min(255, Math.round(255 * m)));
      steps.push(new RandAugment({ config: options.autoAugment, fill, interpolation: interpolation === 'nearest' ? undefined : interpolation,
        seed: options.seed === undefined ? undefined : options.seed + 2 }));
    }
    return new Compose([...steps, ...tail]);
  }
  const cropPct = options.cropPct ?? DEFAULT_CROP_PCT;
  if (!(cropPct > 0 && cropPct <= 1)) throw new TransformArgumentError(`createTransform: cropPct must be in (0, 1], got ${cropPct}`);
  const mode = options.cropMode ?? 'center';
  const scale: [number, number] = [Math.floor(h / cropPct), Math.floor(w / cropPct)];
  switch (mode) {
    case 'squash':
      return new Compose([new Resize(scale, { interpolation }), new CenterCrop([h, w]), ...tail]);
    case 'border': {
      const fill = mean.map((m) => roundHalfEven(255 * m));
      return new Compose([new ResizeKeepRatio(scale, { longest: 1, interpolation }), new CenterCrop([h, w], { fill }), ...tail]);
    }
    case 'center': {
      const resize = scale[0] === scale[1] ? new Resize(scale[0], { interpolation }) : new ResizeKeepRatio(scale);
      return new Compose([resize, new CenterCrop([h, w]), ...tail]);
    }
    default:
      throw new TransformArgumentError(`createTransform: cropMode must be one of ${CROP_MODES.join(', ')}, got '${String(mode)}'`);
  }
}

