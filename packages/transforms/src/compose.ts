// Compose: runs transforms in order (torchvision's Compose), freeing intermediate tensors.
import * as tf from '@tensorflow/tfjs-core';
import { TransformArgumentError } from './errors';
import type { Pixels } from './image';
import { isPixelTransform, type PixelTransform, type Transform, type TransformContext, type TransformSpec } from './transform';

/**
 * Chains transforms; a tensor made by one step and replaced by the next is disposed.
 *
 * @example
 * const t = new Compose([new Resize(256), new CenterCrop(224), new ToTensor(),
 *   new Normalize(IMAGENET_DEFAULT_MEAN, IMAGENET_DEFAULT_STD)]);
 * const x = t.call(await loadImage('cat.jpg')); // tf.Tensor3D [224, 224, 3]
 */
export class Compose implements Transform<unknown, unknown>, PixelTransform {
  readonly transforms: Transform[];
  constructor(transforms: readonly Transform<any, any>[]) {
    this.transforms = [...transforms];
  }
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  call(input: any, ctx?: TransformContext): any {
    let x = input;
    for (const t of this.transforms) {
      const y = t.call(x, ctx);
      if (x !== input && x !== y && x instanceof tf.Tensor) x.dispose();
      x = y;
    }
    return x;
  }
  /** True when every step can run on raw pixels (so the whole pipeline can run in a worker). */
  get isPixelPipeline(): boolean {
    return this.transforms.every((t) => isPixelTransform(t) && (!(t instanceof Compose) || t.isPixelPipeline));
  }
  apply(input: Pixels, ctx?: TransformContext): Pixels {
    let x = input;
    for (const t of this.transforms) {
      if (!isPixelTransform(t)) {
        throw new TransformArgumentError(`Compose: ${t.constructor.name} has no pixel form (apply/toSpec)`);
      }
      x = t.apply(x, ctx);
    }
    return x;
  }
  toSpec(): TransformSpec {
    return {
      type: 'Compose',
      args: [
        this.transforms.map((t) => {
          if (!isPixelTransform(t)) throw new TransformArgumentError(`Compose: ${t.constructor.name} has no toSpec()`);
          return t.toSpec();
        }),
      ],
    };
  }
}

/**
 * Function form: `compose([a, b])(x)` is `b.call(a.call(x))`.
 *
 * @example
 * const pipeline = compose([new Resize(256), new CenterCrop(224)]);
 */
export function compose(transforms: readonly Transform<any, any>[]): (input: unknown, ctx?: TransformContext) => unknown {
  const c = new Compose(transforms);
  return (input, ctx) => c.call(input, ctx);
}
