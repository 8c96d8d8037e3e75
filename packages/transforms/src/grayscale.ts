// Grayscale: PIL's convert('L') (ITU-R 601-2 luma in 16-bit fixed point), as torchvision's
// Grayscale on a PIL image; for models with one input channel.
import { requireRGBImage, type Pixels, type RGBImage } from './image';
import type { PixelTransform, Transform, TransformSpec } from './transform';

/** @internal PIL's RGB → L values, one byte per pixel. */
export function luma(img: RGBImage): Uint8Array {
  const n = img.width * img.height;
  const out = new Uint8Array(n);
  for (let p = 0; p < n; p++) {
    const i = p * 3;
    out[p] = (img.data[i] * 19595 + img.data[i + 1] * 38470 + img.data[i + 2] * 7471 + 0x8000) >> 16;
  }
  return out;
}

/**
 * An RGB image as gray with `channels` (1, or 3 for gray replicated) channels; a 1-channel image is
 * returned as is.
 *
 * @example
 * const g = grayscale(img); // { channels: 1, … }
 */
export function grayscale(img: RGBImage, channels: 1 | 3 = 1): RGBImage {
  requireRGBImage('grayscale', img);
  if (img.channels === 1 && channels === 1) return img;
  const l = img.channels === 1 ? img.data : luma(img);
  if (channels === 1) return { data: l, width: img.width, height: img.height, channels: 1 };
  const out = new Uint8Array(l.length * 3);
  for (let p = 0; p < l.length; p++) out[3 * p] = out[3 * p + 1] = out[3 * p + 2] = l[p];
  return { data: out, width: img.width, height: img.height, channels: 3 };
}

/**
 * The module form of {@link grayscale} (torchvision's `Grayscale(num_output_channels)`).
 *
 * @example
 * new Compose([new Grayscale(), new Resize(28), new ToTensor()]);
 */
export class Grayscale implements Transform<RGBImage, RGBImage>, PixelTransform {
  readonly channels: 1 | 3;
  constructor(channels: 1 | 3 = 1) {
    this.channels = channels;
  }
  call(img: RGBImage): RGBImage {
    return grayscale(img, this.channels);
  }
  apply(img: Pixels): Pixels {
    return this.call(img as RGBImage);
  }
  toSpec(): TransformSpec {
    return { type: 'Grayscale', args: [this.channels] };
  }
}
