// Rebuilds a transform from its plain-data spec (how DataLoader workers get the pipeline).
import { Compose } from './compose';
import { CenterCrop } from './crop';
import { TransformArgumentError } from './errors';
import { RandomHorizontalFlip } from './flip';
import { Grayscale } from './grayscale';
import { Normalize } from './normalize';
import { RandAugment } from './rand_augment';
import { RandomResizedCrop } from './random_resized_crop';
import { Resize } from './resize';
import { ResizeKeepRatio } from './resize_keep_ratio';
import { ToTensor } from './to_tensor';
import type { PixelTransform, TransformSpec } from './transform';

/** Builds a transform from a spec's arguments (see {@link registerTransform}). */
export type TransformFactory = (...args: any[]) => PixelTransform;

const registry = new Map<string, TransformFactory>([
  ['Resize', (size, opts) => new Resize(size, opts)],
  ['CenterCrop', (size, opts) => new CenterCrop(size, opts)],
  ['ResizeKeepRatio', (size, opts) => new ResizeKeepRatio(size, opts)],
  ['RandomResizedCrop', (size, opts) => new RandomResizedCrop(size, opts)],
  ['RandomHorizontalFlip', (p, opts) => new RandomHorizontalFlip(p, opts)],
  ['RandAugment', (opts) => new RandAugment(opts)],
  ['Grayscale', (channels) => new Grayscale(channels)],
  ['ToTensor', () => new ToTensor()],
  ['Normalize', (mean, std) => new Normalize(mean, std)],
  ['Compose', (children: TransformSpec[]) => new Compose(children.map(transformFromSpec) as never)],
]);

/**
 * Registers a custom pixel transform so workers can rebuild it (call it in the worker too, e.g.
 * from a module both sides import).
 *
 * @example
 * registerTransform('Invert', () => new Invert());
 */
export function registerTransform(type: string, factory: TransformFactory): void {
  if (registry.has(type)) throw new TransformArgumentError(`registerTransform: ${type} is already registered`);
  registry.set(type, factory);
}

/**
 * The transform a spec describes.
 *
 * @example
 * const t = transformFromSpec(new Resize(64).toSpec());
 */
export function transformFromSpec(spec: TransformSpec): PixelTransform {
  const f = registry.get(spec.type);
  if (!f) throw new TransformArgumentError(`transformFromSpec: unknown transform type ${spec.type}`);
  return f(...spec.args);
}
