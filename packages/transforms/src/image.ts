// The image the transforms operate on (the role of a PIL image): interleaved HWC uint8 pixels.
import { TransformArgumentError } from './errors';

/**
 * An HWC uint8 image, row-major, channels interleaved (RGB after {@link loadImage}).
 *
 * @example
 * const img: RGBImage = { data: new Uint8Array(4 * 6 * 3), width: 6, height: 4, channels: 3 };
 */
export interface RGBImage {
  data: Uint8Array;
  width: number;
  height: number;
  channels: number;
}

/** An HWC float32 image: what ToTensor/Normalize produce before a tensor is made. */
export interface FloatImage {
  data: Float32Array;
  width: number;
  height: number;
  channels: number;
}

/** Either pixel container. */
export type Pixels = RGBImage | FloatImage;

/** True when `x` is a uint8 image. */
export function isRGBImage(x: unknown): x is RGBImage {
  return typeof x === 'object' && x !== null && (x as RGBImage).data instanceof Uint8Array && 'width' in x;
}

/** True when `x` is a float32 image. */
export function isFloatImage(x: unknown): x is FloatImage {
  return typeof x === 'object' && x !== null && (x as FloatImage).data instanceof Float32Array && 'width' in x;
}

/** Throws unless `img`'s buffer length equals height · width · channels. */
export function checkImage(what: string, img: Pixels): void {
  const { width, height, channels } = img;
  const ok = [width, height, channels].every((v) => Number.isInteger(v) && v > 0);
  if (!ok || img.data.length !== width * height * channels) {
    throw new TransformArgumentError(
      `${what}: expected data of length height·width·channels = ${height}·${width}·${channels}, got ${img.data.length}`,
    );
  }
}

/** Throws unless `img` is a uint8 image (the input of geometric transforms). */
export function requireRGBImage(what: string, img: unknown): RGBImage {
  if (!isRGBImage(img)) {
    throw new TransformArgumentError(`${what}: expected a uint8 image {data: Uint8Array, width, height, channels}`);
  }
  checkImage(what, img);
  return img;
}
