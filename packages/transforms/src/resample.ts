// Pillow's separable resampling for uint8 images (libImaging/Resample.c, reimplemented): filters
// whose support scales with the downscale factor (antialias), fixed-point 22-bit coefficients and
// a uint8 intermediate between the horizontal and the vertical pass, so results match PIL exactly.
import type { RGBImage } from './image';

/** The interpolation modes of {@link resize}. */
export type Interpolation = 'nearest' | 'bilinear' | 'bicubic';

interface Filter {
  support: number;
  fn: (x: number) => number;
}

const BILINEAR: Filter = {
  support: 1,
  fn: (x) => {
    if (x < 0) x = -x;
    return x < 1 ? 1 - x : 0;
  },
};

// Pillow uses a = -0.5 (torch's tensor path uses -0.75).
const A = -0.5;
const BICUBIC: Filter = {
  support: 2,
  fn: (x) => {
    if (x < 0) x = -x;
    if (x < 1) return ((A + 2) * x - (A + 3)) * x * x + 1;
    if (x < 2) return (((x - 5) * x + 8) * x - 4) * A;
    return 0;
  },
};

const PRECISION_BITS = 32 - 8 - 2;
const ONE = 1 << PRECISION_BITS;
const HALF = 1 << (PRECISION_BITS - 1);

interface Coeffs {
  ksize: number;
  bounds: Int32Array; // [xmin, count] per output pixel
  kk: Int32Array; // fixed-point weights, ksize per output pixel
}

function precompute(inSize: number, outSize: number, filter: Filter, antialias: boolean): Coeffs {
  const scale = inSize / outSize;
  const filterscale = antialias ? Math.max(scale, 1) : 1;
  const support = filter.support * filterscale;
  const ksize = Math.ceil(support) * 2 + 1;
  const bounds = new Int32Array(outSize * 2);
  const kk = new Int32Array(outSize * ksize);
  const k = new Float64Array(ksize);
  const ss = 1 / filterscale;
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    let xmin = Math.trunc(center - support + 0.5);
    if (xmin < 0) xmin = 0;
    let xmax = Math.trunc(center + support + 0.5);
    if (xmax > inSize) xmax = inSize;
    xmax -= xmin;
    let ww = 0;
    for (let x = 0; x < xmax; x++) {
      const w = filter.fn((x + xmin - center + 0.5) * ss);
      k[x] = w;
      ww += w;
    }
    for (let x = 0; x < xmax; x++) {
      const w = ww !== 0 ? k[x] / ww : k[x];
      kk[xx * ksize + x] = w < 0 ? Math.trunc(-0.5 + w * ONE) : Math.trunc(0.5 + w * ONE);
    }
    bounds[2 * xx] = xmin;
    bounds[2 * xx + 1] = xmax;
  }
  return { ksize, bounds, kk };
}

function clip8(ss: number): number {
  // |ss| < 255 · 1.5 · 2^22 < 2^31, so the int32 arithmetic shift is PIL's `ss >> PRECISION_BITS`.
  const v = ss >> PRECISION_BITS;
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

function horizontal(src: RGBImage, outW: number, c: Coeffs): RGBImage {
  const { width: W, height: H, channels: C, data } = src;
  const out = new Uint8Array(H * outW * C);
  const { ksize, bounds, kk } = c;
  for (let y = 0; y < H; y++) {
    const row = y * W * C;
    for (let xx = 0; xx < outW; xx++) {
      const xmin = bounds[2 * xx];
      const n = bounds[2 * xx + 1];
      const kb = xx * ksize;
      const o = (y * outW + xx) * C;
      if (C === 3) {
        // Unrolled RGB: one pass over the taps for all three channels.
        let s0 = HALF;
        let s1 = HALF;
        let s2 = HALF;
        let p = row + xmin * 3;
        for (let x = 0; x < n; x++, p += 3) {
          const k = kk[kb + x];
          s0 += data[p] * k;
          s1 += data[p + 1] * k;
          s2 += data[p + 2] * k;
        }
        out[o] = clip8(s0);
        out[o + 1] = clip8(s1);
        out[o + 2] = clip8(s2);
        continue;
      }
      for (let ch = 0; ch < C; ch++) {
        let ss = HALF;
        for (let x = 0; x < n; x++) ss += data[row + (xmin + x) * C + ch] * kk[kb + x];
        out[o + ch] = clip8(ss);
      }
    }
  }
  return { data: out, width: outW, height: H, channels: C };
}

function vertical(src: RGBImage, outH: number, c: Coeffs): RGBImage {
  const { width: W, channels: C, data } = src;
  const out = new Uint8Array(outH * W * C);
  const { ksize, bounds, kk } = c;
  const rowLen = W * C;
  // Row-at-a-time accumulation: sequential memory access (exact: integer sums stay < 2^31).
  const acc = new Float64Array(rowLen);
  for (let yy = 0; yy < outH; yy++) {
    const ymin = bounds[2 * yy];
    const n = bounds[2 * yy + 1];
    const kb = yy * ksize;
    acc.fill(HALF);
    for (let y = 0; y < n; y++) {
      const k = kk[kb + y];
      const base = (ymin + y) * rowLen;
      for (let i = 0; i < rowLen; i++) acc[i] += data[base + i] * k;
    }
    const o = yy * rowLen;
    for (let i = 0; i < rowLen; i++) out[o + i] = clip8(acc[i]);
  }
  return { data: out, width: W, height: outH, channels: C };
}

// Pillow's nearest resize is an affine scale whose source coordinate is accumulated step by step.
function nearest(src: RGBImage, outW: number, outH: number): RGBImage {
  const { width: W, height: H, channels: C, data } = src;
  const sx = W / outW;
  const sy = H / outH;
  const xin = new Int32Array(outW);
  let xo = sx * 0.5;
  for (let x = 0; x < outW; x++) {
    xin[x] = Math.min(W - 1, Math.trunc(xo));
    xo += sx;
  }
  const out = new Uint8Array(outH * outW * C);
  let yo = sy * 0.5;
  for (let y = 0; y < outH; y++) {
    const yi = Math.min(H - 1, Math.trunc(yo));
    yo += sy;
    for (let x = 0; x < outW; x++) {
      const s = (yi * W + xin[x]) * C;
      const d = (y * outW + x) * C;
      for (let ch = 0; ch < C; ch++) out[d + ch] = data[s + ch];
    }
  }
  return { data: out, width: outW, height: outH, channels: C };
}

/**
 * Resizes a uint8 HWC image to exactly `outW` × `outH` the way PIL's `Image.resize` does.
 * `antialias: false` keeps the filter support unscaled when downsampling (plain bilinear/bicubic
 * sampling, as torch's `antialias=False`), still with PIL's a = -0.5 cubic.
 *
 * @example
 * const small = resampleImage(img, 32, 24, 'bicubic');
 */
export function resampleImage(
  src: RGBImage,
  outW: number,
  outH: number,
  interpolation: Interpolation,
  antialias = true,
): RGBImage {
  if (outW === src.width && outH === src.height) {
    return { ...src, data: new Uint8Array(src.data) };
  }
  if (interpolation === 'nearest') return nearest(src, outW, outH);
  const filter = interpolation === 'bicubic' ? BICUBIC : BILINEAR;
  let img = src;
  if (outW !== src.width) img = horizontal(img, outW, precompute(src.width, outW, filter, antialias));
  if (outH !== src.height) img = vertical(img, outH, precompute(src.height, outH, filter, antialias));
  return img;
}
