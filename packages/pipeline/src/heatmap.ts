// Drawing a map over an image: bilinear upsampling of the patch grid, a colour map, alpha blending,
// and a tile of several images (one per head). Plain pixels, so it runs in Node and browsers.
import { ArgumentError } from '@tfjs-vit/ops';
import type { RGBImage } from '@tfjs-vit/transforms';

/** Options of {@link overlayHeatmap}. */
export interface OverlayOptions {
  /** Weight of the heat colour over the image (default 0.5). */
  alpha?: number;
}

/** The 'jet' colour map: blue (0) → cyan → yellow → red (1). */
export function jet(v: number): [number, number, number] {
  const t = Math.min(1, Math.max(0, v));
  const c = (x: number) => Math.round(255 * Math.min(1, Math.max(0, x)));
  return [c(1.5 - Math.abs(4 * t - 3)), c(1.5 - Math.abs(4 * t - 2)), c(1.5 - Math.abs(4 * t - 1))];
}

/** `map` (`[gh, gw]`, row-major) resized to `height` × `width`, bilinear with half-pixel centres. */
export function upsampleMap(map: ArrayLike<number>, grid: readonly [number, number], height: number, width: number): Float32Array {
  const [gh, gw] = grid;
  if (map.length !== gh * gw) throw new ArgumentError(`upsampleMap: ${map.length} values for a ${gh}x${gw} grid`);
  const out = new Float32Array(height * width);
  const src = (g: number, n: number, i: number) => Math.min(g - 1, Math.max(0, ((i + 0.5) * g) / n - 0.5));
  for (let y = 0; y < height; y++) {
    const sy = src(gh, height, y);
    const y0 = Math.floor(sy);
    const y1 = Math.min(gh - 1, y0 + 1);
    const fy = sy - y0;
    for (let x = 0; x < width; x++) {
      const sx = src(gw, width, x);
      const x0 = Math.floor(sx);
      const x1 = Math.min(gw - 1, x0 + 1);
      const fx = sx - x0;
      const top = map[y0 * gw + x0] * (1 - fx) + map[y0 * gw + x1] * fx;
      const bottom = map[y1 * gw + x0] * (1 - fx) + map[y1 * gw + x1] * fx;
      out[y * width + x] = top * (1 - fy) + bottom * fy;
    }
  }
  return out;
}

/**
 * `image` with `map` drawn over it in the 'jet' colours: the map is upsampled to the image,
 * stretched to [0, 1] (its minimum blue, its maximum red; a flat map is all blue) and blended with
 * weight `alpha`. Gray images are drawn in RGB.
 *
 * @example
 * ```ts
 * const overlay = overlayHeatmap(crop, map, [14, 14]);
 * await saveImage(overlay, 'attention.png');
 * ```
 */
export function overlayHeatmap(image: RGBImage, map: ArrayLike<number>, grid: readonly [number, number], options: OverlayOptions = {}): RGBImage {
  const alpha = options.alpha ?? 0.5;
  if (!(alpha >= 0 && alpha <= 1)) throw new ArgumentError(`overlayHeatmap: alpha must be in [0, 1], got ${alpha}`);
  const { width: W, height: H, channels: C, data } = image;
  const up = upsampleMap(map, grid, H, W);
  let max = -Infinity;
  let min = Infinity;
  for (const v of up) {
    if (v > max) max = v;
    if (v < min) min = v;
  }
  const range = max - min;
  const out = new Uint8Array(W * H * 3);
  for (let p = 0; p < W * H; p++) {
    const heat = jet(range > 0 ? (up[p] - min) / range : 0);
    for (let c = 0; c < 3; c++) {
      const v = data[p * C + (C >= 3 ? c : 0)];
      out[3 * p + c] = Math.round((1 - alpha) * v + alpha * heat[c]);
    }
  }
  return { data: out, width: W, height: H, channels: 3 };
}

/**
 * Tiles equally sized RGB images in a grid of `columns` (default: as square as possible),
 * `gap` pixels of `background` apart.
 *
 * @example
 * ```ts
 * const sheet = tileImages(headOverlays, { columns: 4 });
 * ```
 */
export function tileImages(images: readonly RGBImage[], options: { columns?: number; gap?: number; background?: number } = {}): RGBImage {
  if (!images.length) throw new ArgumentError('tileImages: no images');
  const { width: w, height: h } = images[0];
  if (images.some((im) => im.width !== w || im.height !== h || im.channels !== 3)) throw new ArgumentError('tileImages: images must be RGB and the same size');
  const cols = options.columns ?? Math.ceil(Math.sqrt(images.length));
  const rows = Math.ceil(images.length / cols);
  const gap = options.gap ?? 4;
  const W = cols * w + (cols - 1) * gap;
  const H = rows * h + (rows - 1) * gap;
  const out = new Uint8Array(W * H * 3).fill(options.background ?? 255);
  images.forEach((im, i) => {
    const ox = (i % cols) * (w + gap);
    const oy = Math.floor(i / cols) * (h + gap);
    for (let y = 0; y < h; y++) out.set(im.data.subarray(y * w * 3, (y + 1) * w * 3), ((oy + y) * W + ox) * 3);
  });
  return { data: out, width: W, height: H, channels: 3 };
}
