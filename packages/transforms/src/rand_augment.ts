// RandAugment as timm implements it (timm/data/auto_augment.py, config strings like
// 'rand-m9-mstd0.5'): per image, `n` ops drawn with replacement, each applied with probability 0.5
// at a magnitude drawn from N(m, mstd) clipped to [0, mmax], on PIL-equivalent pixel ops.
import { TransformArgumentError } from './errors';
import { requireRGBImage, type Pixels, type RGBImage } from './image';
import * as ops from './pil_ops';
import { Rng } from './rng';
import { pickRng, type PixelTransform, type Transform, type TransformContext, type TransformSpec } from './transform';

/** timm's _RAND_TRANSFORMS. */
export const RAND_TRANSFORMS = [
  'AutoContrast', 'Equalize', 'Invert', 'Rotate', 'Posterize', 'Solarize', 'SolarizeAdd', 'Color',
  'Contrast', 'Brightness', 'Sharpness', 'ShearX', 'ShearY', 'TranslateXRel', 'TranslateYRel',
] as const;
/** timm's _RAND_INCREASING_TRANSFORMS ('inc1'). */
export const RAND_INCREASING_TRANSFORMS = [
  'AutoContrast', 'Equalize', 'Invert', 'Rotate', 'PosterizeIncreasing', 'SolarizeIncreasing', 'SolarizeAdd',
  'ColorIncreasing', 'ContrastIncreasing', 'BrightnessIncreasing', 'SharpnessIncreasing', 'ShearX', 'ShearY',
  'TranslateXRel', 'TranslateYRel',
] as const;

/** Options of {@link RandAugment}; `config` uses timm's syntax. */
export interface RandAugmentOptions {
  /** timm config string, e.g. 'rand-m9-mstd0.5' (also n, mmax, inc). Default 'rand-m9-mstd0.5'. */
  config?: string;
  /** Fill of the geometric ops: round(255 · mean). Default timm's (128, 128, 128). */
  fill?: readonly number[];
  /** Geometric ops' resampling; default a random choice of bilinear / bicubic per op, as timm. */
  interpolation?: 'bilinear' | 'bicubic';
  /** Relative translation range. Default 0.45. */
  translatePct?: number;
  seed?: number;
}

/** A parsed RandAugment config string (what {@link parseRandAugmentConfig} returns). */
export interface RandAugmentConfig {
  magnitude: number;
  numLayers: number;
  magnitudeStd: number;
  magnitudeMax: number;
  names: readonly string[];
}

/** Parses a timm RandAugment config string. @example parseRandAugmentConfig('rand-m9-mstd0.5') */
export function parseRandAugmentConfig(config: string): RandAugmentConfig {
  const parts = config.split('-');
  if (parts[0] !== 'rand') throw new TransformArgumentError(`RandAugment: config must start with 'rand', got '${config}'`);
  const p: RandAugmentConfig = { magnitude: 10, numLayers: 2, magnitudeStd: 0, magnitudeMax: 10, names: RAND_TRANSFORMS };
  for (const part of parts.slice(1)) {
    const m = /^([a-z]+)(\d.*)$/.exec(part);
    if (!m) continue;
    const [, key, val] = m;
    if (key === 'mstd') p.magnitudeStd = Number(val) > 100 ? Infinity : Number(val);
    else if (key === 'mmax') p.magnitudeMax = parseInt(val, 10);
    else if (key === 'inc') p.names = parseInt(val, 10) ? RAND_INCREASING_TRANSFORMS : RAND_TRANSFORMS;
    else if (key === 'm') p.magnitude = parseInt(val, 10);
    else if (key === 'n') p.numLayers = parseInt(val, 10);
    else throw new TransformArgumentError(`RandAugment: unknown config section '${part}' in '${config}'`);
  }
  return p;
}

function gauss(rng: Rng, mu: number, sigma: number): number {
  const u = 1 - rng.random();
  return mu + sigma * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.random());
}

/**
 * Applies one named timm op at magnitude `m` (0–10 scale). `negate` decides the sign of signed
 * ops (timm flips a coin); `resample` is used by the geometric ones.
 *
 * @example
 * const out = applyAugmentOp(img, 'Rotate', 9, { negate: false, resample: 'bilinear', fill: [124, 116, 104] });
 */
export function applyAugmentOp(
  img: RGBImage,
  name: string,
  m: number,
  o: { negate: boolean; resample: 'bilinear' | 'bicubic'; fill: readonly number[]; translatePct?: number },
): RGBImage {
  const level = m / 10;
  const signed = (v: number) => (o.negate ? -v : v);
  const enhance = name.endsWith('Increasing') ? Math.max(0.1, 1 + signed(level * 0.9)) : level * 1.8 + 0.1;
  switch (name) {
    case 'AutoContrast': return ops.autocontrast(img);
    case 'Equalize': return ops.equalize(img);
    case 'Invert': return ops.invert(img);
    case 'Rotate': return ops.rotate(img, signed(level * 30), o.resample, o.fill);
    case 'Posterize':
    case 'PosterizeIncreasing': {
      const bits = name === 'Posterize' ? Math.trunc(level * 4) : 4 - Math.trunc(level * 4);
      return bits >= 8 ? img : ops.posterize(img, bits);
    }
    case 'Solarize': return ops.solarize(img, Math.trunc(level * 256));
    case 'SolarizeIncreasing': return ops.solarize(img, 256 - Math.trunc(level * 256));
    case 'SolarizeAdd': return ops.solarizeAdd(img, Math.trunc(level * 110));
    case 'Color': case 'ColorIncreasing': return ops.color(img, enhance);
    case 'Contrast': case 'ContrastIncreasing': return ops.contrast(img, enhance);
    case 'Brightness': case 'BrightnessIncreasing': return ops.brightness(img, enhance);
    case 'Sharpness': case 'SharpnessIncreasing': return ops.sharpness(img, enhance);
    case 'ShearX': return ops.affine(img, [1, signed(level * 0.3), 0, 0, 1, 0], o.resample, o.fill);
    case 'ShearY': return ops.affine(img, [1, 0, 0, signed(level * 0.3), 1, 0], o.resample, o.fill);
    case 'TranslateXRel': return ops.affine(img, [1, 0, signed(level * (o.translatePct ?? 0.45)) * img.width, 0, 1, 0], o.resample, o.fill);
    case 'TranslateYRel': return ops.affine(img, [1, 0, 0, 0, 1, signed(level * (o.translatePct ?? 0.45)) * img.height], o.resample, o.fill);
    default: throw new TransformArgumentError(`RandAugment: unknown op ${name}`);
  }
}

/**
 * timm's RandAugment on uint8 RGB images (put it after the crop and flip, before ToTensor).
 *
 * @example
 * const ra = new RandAugment({ config: 'rand-m9-mstd0.5', fill: [124, 116, 104], seed: 0 });
 * const out = ra.call(img);
 */
export class RandAugment implements Transform<RGBImage, RGBImage>, PixelTransform {
  readonly options: RandAugmentOptions;
  private readonly parsed: RandAugmentConfig;
  private readonly rng: Rng;

  constructor(options: RandAugmentOptions = {}) {
    this.options = { ...options };
    this.parsed = parseRandAugmentConfig(options.config ?? 'rand-m9-mstd0.5');
    this.rng = new Rng(options.seed);
  }

  call(img: RGBImage, ctx?: TransformContext): RGBImage {
    requireRGBImage('RandAugment', img);
    const rng = pickRng(ctx, this.rng);
    const { names, numLayers, magnitude, magnitudeStd, magnitudeMax } = this.parsed;
    let out = img;
    for (let k = 0; k < numLayers; k++) {
      const name = names[rng.randint(0, names.length)];
      if (rng.random() > 0.5) continue;
      let m = magnitude;
      if (magnitudeStd === Infinity) m = rng.uniform(0, magnitude);
      else if (magnitudeStd > 0) m = gauss(rng, magnitude, magnitudeStd);
      m = Math.max(0, Math.min(m, magnitudeMax));
      const negate = rng.random() > 0.5;
      const resample = this.options.interpolation ?? (rng.random() < 0.5 ? 'bilinear' : 'bicubic');
      out = applyAugmentOp(out, name, m, { negate, resample, fill: this.options.fill ?? [128, 128, 128], translatePct: this.options.translatePct });
    }
    return out;
  }
  apply(img: Pixels, ctx?: TransformContext): Pixels {
    return this.call(img as RGBImage, ctx);
  }
  toSpec(): TransformSpec {
    return { type: 'RandAugment', args: [this.options] };
  }
}
