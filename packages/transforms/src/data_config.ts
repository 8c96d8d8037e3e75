// The preprocessing a model expects, resolved as timm's `resolve_data_config` (timm/data/config.py)
// does: explicit overrides first, then the model's pretrained cfg, then timm's defaults; and the
// eval transform it implies (timm's `create_transform(**data_config)`).
import { Compose } from './compose';
import { CROP_MODES, createTransform, DEFAULT_CROP_PCT, type CropMode } from './create_transform';
import { TransformArgumentError as ArgumentError } from './errors';
import { Grayscale } from './grayscale';
import { IMAGENET_DEFAULT_MEAN, IMAGENET_DEFAULT_STD } from './normalize';
import type { Interpolation } from './resample';

/** The preprocessing fields of a pretrained cfg (`@tfjs-vit/models`' `PretrainedCfg` has them). */
export interface PretrainedDataFields {
  /** `[channels, height, width]`. */
  inputSize?: readonly number[];
  interpolation?: Interpolation;
  mean?: readonly number[];
  std?: readonly number[];
  cropPct?: number;
  cropMode?: CropMode;
}

/** timm's data config: what the eval transform needs (`input_size`, `interpolation`, `mean`, `std`, `crop_pct`, `crop_mode`). */
export interface DataConfig {
  /** `[channels, height, width]`. */
  inputSize: [number, number, number];
  interpolation: Interpolation;
  mean: number[];
  std: number[];
  cropPct: number;
  cropMode: CropMode;
}

/** Values that override the pretrained cfg (a CLI's `--input-size`, `--mean`, …). */
export interface DataConfigOverrides {
  /** `s`, `[h, w]` or `[c, h, w]`. */
  inputSize?: number | readonly number[];
  interpolation?: Interpolation;
  /** One value (repeated per channel) or one per channel. */
  mean?: readonly number[];
  std?: readonly number[];
  cropPct?: number;
  cropMode?: CropMode;
}

/** The interpolations the eval transform accepts. */
export const INTERPOLATIONS: readonly Interpolation[] = ['bicubic', 'bilinear', 'nearest'];

function perChannel(name: string, v: readonly number[], chans: number): number[] {
  if (!v.every((x) => Number.isFinite(x))) throw new ArgumentError(`data config: ${name} must be numbers, got [${v.join(', ')}]`);
  if (v.length === 1) return new Array(chans).fill(v[0]);
  if (v.length !== chans) throw new ArgumentError(`data config: ${name} needs 1 or ${chans} values (one per channel), got ${v.length}`);
  return [...v];
}

function sizeOf(v: number | readonly number[], chans: number): [number, number, number] {
  const s = typeof v === 'number' ? [chans, v, v] : v.length === 2 ? [chans, v[0], v[1]] : [...v];
  if (s.length !== 3 || !s.every((x) => Number.isInteger(x) && x > 0)) {
    throw new ArgumentError(`data config: inputSize must be s, [h, w] or [c, h, w] positive integers, got ${JSON.stringify(v)}`);
  }
  return s as [number, number, number];
}

/**
 * Resolves the eval preprocessing of a model as timm's `resolve_data_config(args, pretrained_cfg)`:
 * each field from `overrides` if given, else the pretrained cfg, else timm's default (224,
 * bicubic, ImageNet mean/std, crop 0.875, 'center'). `inChans` (default: the cfg's, else 3)
 * sizes mean/std given as one value.
 *
 * @example
 * ```ts
 * resolveDataConfig(getPretrainedCfg('vit_base_patch16_224'), { cropPct: 1 });
 * // { inputSize: [3, 224, 224], interpolation: 'bicubic', mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5], cropPct: 1, cropMode: 'center' }
 * ```
 */
export function resolveDataConfig(pretrained?: PretrainedDataFields | null, overrides: DataConfigOverrides = {}, inChans?: number): DataConfig {
  const cfg = pretrained ?? {};
  const chans = overrides.inputSize !== undefined && typeof overrides.inputSize !== 'number' && overrides.inputSize.length === 3
    ? overrides.inputSize[0]
    : inChans ?? cfg.inputSize?.[0] ?? 3;
  const inputSize = sizeOf(overrides.inputSize ?? (cfg.inputSize ? cfg.inputSize.slice(-2) : 224), chans);
  const interpolation = overrides.interpolation ?? cfg.interpolation ?? 'bicubic';
  if (!INTERPOLATIONS.includes(interpolation)) {
    throw new ArgumentError(`data config: interpolation must be one of ${INTERPOLATIONS.join(', ')}, got '${String(interpolation)}'`);
  }
  const cropPct = overrides.cropPct ?? cfg.cropPct ?? DEFAULT_CROP_PCT;
  if (!(cropPct > 0 && cropPct <= 1)) throw new ArgumentError(`data config: cropPct must be in (0, 1], got ${cropPct}`);
  const cropMode = overrides.cropMode ?? cfg.cropMode ?? 'center';
  if (!CROP_MODES.includes(cropMode)) throw new ArgumentError(`data config: cropMode must be one of ${CROP_MODES.join(', ')}, got '${String(cropMode)}'`);
  const mean = perChannel('mean', overrides.mean ?? cfg.mean ?? IMAGENET_DEFAULT_MEAN, inputSize[0]);
  const std = perChannel('std', overrides.std ?? cfg.std ?? IMAGENET_DEFAULT_STD, inputSize[0]);
  if (std.some((s) => s === 0)) throw new ArgumentError(`data config: std must be non-zero, got [${std.join(', ')}]`);
  return { inputSize, interpolation, mean, std, cropPct, cropMode };
}

/**
 * The eval transform of a data config (timm's `create_transform(**data_config)`): the image is
 * resized and cropped, made a tensor and normalised; a 1-channel config first turns the image gray
 * (PIL's `convert('L')`).
 *
 * @example
 * ```ts
 * const t = evalTransform(resolveDataConfig(getPretrainedCfg('test_vit')));
 * const x = t.call(await loadImage('cat.jpg')); // [160, 160, 3]
 * ```
 */
export function evalTransform(dc: DataConfig): Compose {
  const [c, h, w] = dc.inputSize;
  if (c !== 1 && c !== 3) throw new ArgumentError(`data config: images can be fed to 1- or 3-channel models, this one takes ${c}`);
  const t = createTransform({ inputSize: [h, w], interpolation: dc.interpolation, mean: dc.mean, std: dc.std, cropPct: dc.cropPct, cropMode: dc.cropMode });
  return c === 1 ? new Compose([new Grayscale(1), ...t.transforms]) : t;
}

/**
 * The pixel part of {@link evalTransform}: the resized, cropped uint8 image the model sees (for
 * drawing an attention map over it).
 *
 * @example
 * ```ts
 * const crop = evalCrop(dc).call(await loadImage('cat.jpg')); // RGBImage [h, w]
 * ```
 */
export function evalCrop(dc: DataConfig): Compose {
  const [, h, w] = dc.inputSize;
  const t = createTransform({ inputSize: [h, w], interpolation: dc.interpolation, mean: dc.mean, std: dc.std, cropPct: dc.cropPct, cropMode: dc.cropMode });
  return new Compose(t.transforms.slice(0, -2)); // without ToTensor, Normalize
}
