// Converts raw pixel buffers of 1–4 channels (gray, gray+alpha, RGB, RGBA) to 3-channel RGB.
import { TransformArgumentError } from './errors';
import type { RGBImage } from './image';
import { logDebug } from './log';

/** Raw interleaved pixels as they come from a decoder, ImageData or a dataset file. */
export interface RawPixels {
  data: Uint8Array | Uint8ClampedArray;
  width: number;
  height: number;
  /** 1 (gray), 2 (gray + alpha), 3 (RGB) or 4 (RGBA). */
  channels: number;
}

const MODE = ['', 'grayscale', 'grayscale+alpha', 'RGB', 'RGBA'];

/**
 * RGB pixels from gray / gray+alpha / RGB / RGBA: gray is replicated, alpha dropped (as PIL's
 * `convert('RGB')`). A conversion is reported through the debug log hook.
 *
 * @example
 * const rgb = toRGB({ data: grayBytes, width: 28, height: 28, channels: 1 });
 */
export function toRGB(px: RawPixels, source = '<pixels>'): RGBImage {
  const { width, height, channels } = px;
  if (![1, 2, 3, 4].includes(channels)) {
    throw new TransformArgumentError(`${source}: expected 1, 2, 3 or 4 channels, got ${channels}`);
  }
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0 ||
      px.data.length !== width * height * channels) {
    throw new TransformArgumentError(
      `${source}: expected ${height}·${width}·${channels} = ${height * width * channels} bytes, got ${px.data.length}`,
    );
  }
  if (channels === 3) {
    const data = px.data instanceof Uint8Array ? px.data : new Uint8Array(px.data.buffer, px.data.byteOffset, px.data.length);
    return { data, width, height, channels: 3 };
  }
  logDebug(`${source}: converted ${MODE[channels]} (${channels} channel${channels > 1 ? 's' : ''}) to RGB`);
  const n = width * height;
  const out = new Uint8Array(n * 3);
  const src = px.data;
  for (let i = 0; i < n; i++) {
    if (channels <= 2) {
      const v = src[i * channels];
      out[3 * i] = v;
      out[3 * i + 1] = v;
      out[3 * i + 2] = v;
    } else {
      out[3 * i] = src[4 * i];
      out[3 * i + 1] = src[4 * i + 1];
      out[3 * i + 2] = src[4 * i + 2];
    }
  }
  return { data: out, width, height, channels: 3 };
}
