// ToTensor: HWC uint8 → float32 in [0, 1], kept HWC (the models take NHWC, not torchvision's CHW).
import * as tf from '@tensorflow/tfjs-core';
import { isFloatImage, requireRGBImage, type FloatImage, type Pixels, type RGBImage } from './image';
import type { PixelTransform, Transform, TransformSpec } from './transform';

/**
 * Scales uint8 pixels to float32 in [0, 1] (x / 255, rounded to float32 as torch does).
 *
 * @example
 * const f = toFloatImage(img); // f.data is a Float32Array
 */
export function toFloatImage(img: RGBImage): FloatImage {
  requireRGBImage('toFloatImage', img);
  const out = new Float32Array(img.data.length);
  for (let i = 0; i < out.length; i++) out[i] = img.data[i] / 255;
  return { data: out, width: img.width, height: img.height, channels: img.channels };
}

/**
 * A float32 `[H, W, C]` tensor in [0, 1] from a uint8 image (the caller disposes it).
 *
 * @example
 * const x = toTensor(img); // tf.Tensor3D [H, W, 3]
 */
export function toTensor(img: RGBImage | FloatImage): tf.Tensor3D {
  const f = isFloatImage(img) ? img : toFloatImage(img);
  return tf.tensor3d(f.data, [f.height, f.width, f.channels], 'float32');
}

/**
 * The module form of {@link toTensor}: `call` gives a tensor, `apply` (used by loader workers)
 * gives the same numbers as a {@link FloatImage}.
 *
 * @example
 * const x = new ToTensor().call(img);
 */
export class ToTensor implements Transform<RGBImage, tf.Tensor3D>, PixelTransform {
  call(img: RGBImage): tf.Tensor3D {
    return toTensor(img);
  }
  apply(img: Pixels): Pixels {
    return isFloatImage(img) ? img : toFloatImage(img);
  }
  toSpec(): TransformSpec {
    return { type: 'ToTensor', args: [] };
  }
}
