// Mixup / CutMix on batches with label smoothing (timm's Mixup, mode 'batch'): mix each image with
// the batch reversed, by a Beta(α, α) weight or by pasting a box, and mix the smoothed targets alike.
import * as tf from '@tensorflow/tfjs-core';
import { TransformArgumentError } from './errors';
import { Rng } from './rng';

/** A CutMix box in pixels: rows [yl, yh), columns [xl, xh). */
export type CutmixBox = [number, number, number, number];

/**
 * Smoothed one-hot targets mixed with the reversed batch's: `lam · y + (1 − lam) · flip(y)`, with
 * `on = 1 − smoothing + smoothing / C`, `off = smoothing / C` (timm's mixup_target).
 *
 * @example
 * const y = mixupTarget(tf.tensor1d([3, 1], 'int32'), 10, 0.7, 0.1); // [2, 10]
 */
export function mixupTarget(labels: tf.Tensor1D, numClasses: number, lam = 1, smoothing = 0): tf.Tensor2D {
  const off = smoothing / numClasses;
  const on = 1 - smoothing + off;
  return tf.tidy(() => {
    // tf.where rather than tf.oneHot: the wasm backend's OneHot ignores a float dtype.
    const hit = tf.equal(tf.reshape(tf.cast(labels, 'int32'), [-1, 1]), tf.reshape(tf.range(0, numClasses, 1, 'int32'), [1, -1]));
    const y1 = tf.where(hit, tf.fill(hit.shape, on), tf.fill(hit.shape, off));
    const y2 = tf.reverse(y1, 0);
    return tf.add(tf.mul(y1, lam), tf.mul(y2, 1 - lam)) as tf.Tensor2D;
  });
}

/**
 * Mixes a batch `[B, H, W, C]` with its reverse: blend by `lam`, or with `box` paste the reversed
 * batch's pixels inside the box (as timm, the caller passes the lam that matches the box).
 *
 * @example
 * const mixed = mixBatch(images, 0.7);               // mixup
 * const cut = mixBatch(images, 0.75, [0, 8, 0, 8]);  // cutmix
 */
export function mixBatch(images: tf.Tensor4D, lam: number, box?: CutmixBox): tf.Tensor4D {
  return tf.tidy(() => {
    const flipped = tf.reverse(images, 0);
    if (!box) return tf.add(tf.mul(images, lam), tf.mul(flipped, 1 - lam)) as tf.Tensor4D;
    const [, H, W] = images.shape;
    const [yl, yh, xl, xh] = box;
    const rows = tf.logicalAnd(tf.greaterEqual(tf.range(0, H), yl), tf.less(tf.range(0, H), yh));
    const cols = tf.logicalAnd(tf.greaterEqual(tf.range(0, W), xl), tf.less(tf.range(0, W), xh));
    const mask = tf.reshape(tf.logicalAnd(tf.reshape(rows, [H, 1]), tf.reshape(cols, [1, W])), [1, H, W, 1]);
    return tf.where(tf.broadcastTo(mask, images.shape), flipped, images) as tf.Tensor4D;
  });
}

// Marsaglia–Tsang gamma sampler (shape ≥ 1; boosted for shape < 1), for Beta(a, b) = G_a / (G_a + G_b).
function gauss(rng: Rng): number {
  const u = 1 - rng.random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.random());
}
function gamma(rng: Rng, shape: number): number {
  if (shape < 1) return gamma(rng, shape + 1) * Math.pow(1 - rng.random(), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = gauss(rng);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = rng.random();
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}

/** A Beta(a, b) sample from `rng`. */
export function sampleBeta(rng: Rng, a: number, b: number): number {
  const x = gamma(rng, a);
  return x / (x + gamma(rng, b));
}

/** Options of {@link Mixup} (timm's names, camelCased). */
export interface MixupOptions {
  /** Beta α of mixup; 0 disables mixup. Default 1. */
  mixupAlpha?: number;
  /** Beta α of cutmix; 0 disables cutmix. Default 0. */
  cutmixAlpha?: number;
  /** Min/max box size as a fraction of the image (then α is unused for the box). */
  cutmixMinmax?: [number, number];
  /** Probability of mixing a batch at all. Default 1. */
  prob?: number;
  /** Probability of cutmix instead of mixup when both are enabled. Default 0.5. */
  switchProb?: number;
  /** Recompute lam from the clipped box area. Default true. */
  correctLam?: boolean;
  /** Default 0.1. */
  labelSmoothing?: number;
  /** Default 1000. */
  numClasses?: number;
  seed?: number;
}

/**
 * timm's `Mixup` in 'batch' mode: `call({images, labels})` returns the mixed images and soft
 * targets `[B, numClasses]` (the inputs are not disposed). The batch size must be even.
 *
 * @example
 * const mix = new Mixup({ mixupAlpha: 0.8, cutmixAlpha: 1, labelSmoothing: 0.1, numClasses: 5, seed: 0 });
 * const { images: x, targets } = mix.call({ images, labels });
 */
export class Mixup {
  readonly options: Required<Omit<MixupOptions, 'cutmixMinmax' | 'seed'>> & { cutmixMinmax?: [number, number] };
  private readonly rng: Rng;

  constructor(options: MixupOptions = {}) {
    this.options = {
      mixupAlpha: options.mixupAlpha ?? 1,
      cutmixAlpha: options.cutmixAlpha ?? 0,
      cutmixMinmax: options.cutmixMinmax,
      prob: options.prob ?? 1,
      switchProb: options.switchProb ?? 0.5,
      correctLam: options.correctLam ?? true,
      labelSmoothing: options.labelSmoothing ?? 0.1,
      numClasses: options.numClasses ?? 1000,
    };
    if (this.options.cutmixMinmax) this.options.cutmixAlpha = 1; // timm: minmax forces cutmix on
    this.rng = new Rng(options.seed);
  }

  /** Draws this batch's `lam` and whether to cut (timm's _params_per_batch). */
  params(): { lam: number; useCutmix: boolean } {
    const { mixupAlpha, cutmixAlpha, prob, switchProb } = this.options;
    if (!(this.rng.random() < prob) || (mixupAlpha <= 0 && cutmixAlpha <= 0)) return { lam: 1, useCutmix: false };
    let useCutmix = false;
    let alpha = mixupAlpha;
    if (mixupAlpha > 0 && cutmixAlpha > 0) {
      useCutmix = this.rng.random() < switchProb;
      alpha = useCutmix ? cutmixAlpha : mixupAlpha;
    } else if (cutmixAlpha > 0) {
      useCutmix = true;
      alpha = cutmixAlpha;
    }
    return { lam: sampleBeta(this.rng, alpha, alpha), useCutmix };
  }

  /** A CutMix box for an H × W image and the lam it implies (timm's cutmix_bbox_and_lam). */
  box(H: number, W: number, lam: number): { box: CutmixBox; lam: number } {
    let box: CutmixBox;
    const mm = this.options.cutmixMinmax;
    if (mm) {
      const ch = this.rng.randint(Math.trunc(H * mm[0]), Math.trunc(H * mm[1]));
      const cw = this.rng.randint(Math.trunc(W * mm[0]), Math.trunc(W * mm[1]));
      const yl = this.rng.randint(0, H - ch);
      const xl = this.rng.randint(0, W - cw);
      box = [yl, yl + ch, xl, xl + cw];
    } else {
      const ratio = Math.sqrt(1 - lam);
      const ch = Math.trunc(H * ratio);
      const cw = Math.trunc(W * ratio);
      const cy = this.rng.randint(0, H);
      const cx = this.rng.randint(0, W);
      const clip = (v: number, hi: number) => Math.min(Math.max(v, 0), hi);
      box = [clip(cy - (ch >> 1), H), clip(cy + (ch >> 1), H), clip(cx - (cw >> 1), W), clip(cx + (cw >> 1), W)];
    }
    if (this.options.correctLam || mm) lam = 1 - ((box[1] - box[0]) * (box[3] - box[2])) / (H * W);
    return { box, lam };
  }

  call(batch: { images: tf.Tensor4D; labels: tf.Tensor1D }): { images: tf.Tensor4D; targets: tf.Tensor2D; lam: number } {
    const { images, labels } = batch;
    if (images.shape[0] % 2 !== 0) {
      throw new TransformArgumentError(`Mixup: batch size must be even, got ${images.shape[0]} (use dropLast)`);
    }
    let { lam, useCutmix } = this.params();
    let mixed: tf.Tensor4D;
    if (lam === 1) mixed = tf.clone(images);
    else if (useCutmix) {
      const b = this.box(images.shape[1], images.shape[2], lam);
      lam = b.lam;
      mixed = mixBatch(images, lam, b.box);
    } else mixed = mixBatch(images, lam);
    const { numClasses, labelSmoothing } = this.options;
    return { images: mixed, targets: mixupTarget(labels, numClasses, lam, labelSmoothing), lam };
  }
}
