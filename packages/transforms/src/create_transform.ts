// createTransform: timm's create_transform for the two pipelines a ViT needs — eval (resize the
// shorter side to floor(size / crop_pct), center crop, to tensor, normalize) and train
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
import { ToTensor } from './to_tensor';

/** timm's default crop_pct. */
export const DEFAULT_CROP_PCT = 0.875;

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
 * The timm-style pipeline for a model: `Compose` of pixel transforms ending in `ToTensor` and
 * `Normalize`, so it also runs inside DataLoader workers.
 *
 * Eval: `Resize(floor(size / cropPct))` on the shorter side (per side `[floor(h / p), floor(w / p)]`
 * for non-square sizes, as timm) → `CenterCrop(size)` → `ToTensor` → `Normalize`.
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
  const resize =
    h === w
      ? new Resize(Math.floor(h / cropPct), { interpolation })
      : new Resize([Math.floor(h / cropPct), Math.floor(w / cropPct)], { interpolation });
  return new Compose([resize, new CenterCrop([h, w]), ...tail]);
}
