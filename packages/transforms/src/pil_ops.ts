// PIL's point, enhance and affine operations on RGB uint8 images (ImageOps, ImageEnhance,
// Image.transform), reimplemented with PIL's arithmetic: the building blocks of RandAugment.
import { luma } from './grayscale';
import { checkImage, type RGBImage } from './image';

const f32 = Math.fround;

function mapLut(img: RGBImage, luts: Uint8Array[]): RGBImage {
  checkImage('lut', img);
  const C = img.channels;
  const out = new Uint8Array(img.data.length);
  for (let i = 0; i < out.length; i++) out[i] = luts[i % C][img.data[i]];
  return { ...img, data: out };
}

function sameLut(img: RGBImage, fn: (v: number) => number): RGBImage {
  const lut = Uint8Array.from({ length: 256 }, (_, v) => fn(v));
  return mapLut(img, new Array(img.channels).fill(lut));
}

function histograms(img: RGBImage): Float64Array[] {
  const C = img.channels;
  const h = Array.from({ length: C }, () => new Float64Array(256));
  for (let i = 0; i < img.data.length; i++) h[i % C][img.data[i]]++;
  return h;
}

/** `255 − x` (ImageOps.invert). @example invert(img) */
export function invert(img: RGBImage): RGBImage {
  return sameLut(img, (v) => 255 - v);
}

/** Keeps the top `bits` bits of each value (ImageOps.posterize). @example posterize(img, 4) */
export function posterize(img: RGBImage, bits: number): RGBImage {
  const mask = ~(2 ** (8 - bits) - 1);
  return sameLut(img, (v) => v & mask);
}

/** Inverts values ≥ `threshold` (ImageOps.solarize). @example solarize(img, 128) */
export function solarize(img: RGBImage, threshold = 128): RGBImage {
  return sameLut(img, (v) => (v < threshold ? v : 255 - v));
}

/** Adds `add` (clipped at 255) to values below `threshold` (timm's solarize_add). @example solarizeAdd(img, 50) */
export function solarizeAdd(img: RGBImage, add: number, threshold = 128): RGBImage {
  return sameLut(img, (v) => (v < threshold ? Math.min(255, v + add) : v));
}

/** Stretches each channel to [0, 255] (ImageOps.autocontrast, no cutoff). @example autocontrast(img) */
export function autocontrast(img: RGBImage): RGBImage {
  const luts = histograms(img).map((h) => {
    let lo = 0;
    while (lo < 255 && !h[lo]) lo++;
    let hi = 255;
    while (hi > 0 && !h[hi]) hi--;
    if (hi <= lo) return Uint8Array.from({ length: 256 }, (_, v) => v);
    const scale = 255 / (hi - lo);
    const offset = -lo * scale;
    return Uint8Array.from({ length: 256 }, (_, v) => Math.min(255, Math.max(0, Math.trunc(v * scale + offset))));
  });
  return mapLut(img, luts);
}

/** Histogram equalization per channel (ImageOps.equalize). @example equalize(img) */
export function equalize(img: RGBImage): RGBImage {
  const luts = histograms(img).map((h) => {
    const used = Array.from(h).filter((v) => v > 0);
    const identity = Uint8Array.from({ length: 256 }, (_, v) => v);
    if (used.length <= 1) return identity;
    const step = Math.floor((used.reduce((a, b) => a + b, 0) - used[used.length - 1]) / 256);
    if (!step) return identity;
    const lut = new Uint8Array(256);
    let n = Math.floor(step / 2);
    for (let i = 0; i < 256; i++) {
      lut[i] = Math.min(255, Math.floor(n / step));
      n += h[i];
    }
    return lut;
  });
  return mapLut(img, luts);
}

/** PIL's Image.blend: `a + alpha · (b − a)` in float32, truncated (clipped when extrapolating). */
export function blend(a: RGBImage, b: RGBImage, alpha: number): RGBImage {
  const al = f32(alpha);
  const out = new Uint8Array(a.data.length);
  const interp = al >= 0 && al <= 1;
  for (let i = 0; i < out.length; i++) {
    const t = f32(a.data[i] + f32(al * (b.data[i] - a.data[i])));
    out[i] = interp ? t : t <= 0 ? 0 : t >= 255 ? 255 : Math.trunc(t);
  }
  return { ...b, data: out };
}


function grayToRGB(img: RGBImage, gray: (p: number) => number): RGBImage {
  const out = new Uint8Array(img.data.length);
  for (let p = 0; p < img.width * img.height; p++) out[3 * p] = out[3 * p + 1] = out[3 * p + 2] = gray(p);
  return { ...img, data: out };
}

/** ImageEnhance.Color: blend with the grayscale image. @example color(img, 1.5) */
export function color(img: RGBImage, factor: number): RGBImage {
  const l = luma(img);
  return blend(grayToRGB(img, (p) => l[p]), img, factor);
}

/** ImageEnhance.Contrast: blend with the mean gray level. @example contrast(img, 0.5) */
export function contrast(img: RGBImage, factor: number): RGBImage {
  const l = luma(img);
  let sum = 0;
  for (const v of l) sum += v;
  const mean = Math.trunc(sum / l.length + 0.5);
  return blend(grayToRGB(img, () => mean), img, factor);
}

/** ImageEnhance.Brightness: blend with black. @example brightness(img, 1.2) */
export function brightness(img: RGBImage, factor: number): RGBImage {
  return blend({ ...img, data: new Uint8Array(img.data.length) }, img, factor);
}

/** ImageFilter.SMOOTH (3×3 kernel 1,1,1,1,5,1,1,1,1 / 13, borders copied), float32 as PIL. */
function smooth(img: RGBImage): RGBImage {
  const { width: W, height: H, channels: C, data } = img;
  const out = new Uint8Array(data);
  if (W < 3 || H < 3) return { ...img, data: out };
  const k1 = f32(1 / 13);
  const k5 = f32(5 / 13);
  const row = (y: number, x: number, c: number, mid: number) =>
    f32(f32(f32(data[(y * W + x - 1) * C + c] * k1) + f32(data[(y * W + x) * C + c] * mid)) + f32(data[(y * W + x + 1) * C + c] * k1));
  for (let y = 1; y < H - 1; y++) {
    for (let x = 1; x < W - 1; x++) {
      for (let c = 0; c < C; c++) {
        let ss = f32(0.5);
        ss = f32(ss + row(y + 1, x, c, k1));
        ss = f32(ss + row(y, x, c, k5));
        ss = f32(ss + row(y - 1, x, c, k1));
        out[(y * W + x) * C + c] = ss < 0 ? 0 : ss > 255 ? 255 : Math.trunc(ss);
      }
    }
  }
  return { ...img, data: out };
}

/** ImageEnhance.Sharpness: blend with the SMOOTH-filtered image. @example sharpness(img, 1.8) */
export function sharpness(img: RGBImage, factor: number): RGBImage {
  return blend(smooth(img), img, factor);
}

/**
 * PIL's `Image.transform(size, AFFINE, matrix, resample, fillcolor)`: output pixel (x, y) samples
 * the input at `(a·x' + b·y' + c, d·x' + e·y' + f)` with x' = x + 0.5, bilinear or bicubic
 * (PIL's a = −1 cubic here, not resize's), `fill` outside the image.
 *
 * @example
 * const sheared = affine(img, [1, 0.3, 0, 0, 1, 0], 'bilinear', [124, 116, 104]);
 */
export function affine(
  img: RGBImage,
  m: readonly number[],
  resample: 'bilinear' | 'bicubic',
  fill: readonly number[] = [0, 0, 0],
): RGBImage {
  const { width: W, height: H, channels: C, data } = img;
  const out = new Uint8Array(data.length);
  const px = (y: number, x: number, c: number) =>
    data[((y < 0 ? 0 : y < H ? y : H - 1) * W + (x < 0 ? 0 : x < W ? x : W - 1)) * C + c];
  const cubic = (v1: number, v2: number, v3: number, v4: number, d: number) => {
    const p2 = -v1 + v3;
    const p3 = 2 * (v1 - v2) + v3 - v4;
    const p4 = -v1 + v2 - v3 + v4;
    return v2 + d * (p2 + d * (p3 + d * p4));
  };
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const o = (y * W + x) * C;
      let xin = m[0] * (x + 0.5) + m[1] * (y + 0.5) + m[2];
      let yin = m[3] * (x + 0.5) + m[4] * (y + 0.5) + m[5];
      if (!(xin >= 0 && xin < W && yin >= 0 && yin < H)) {
        for (let c = 0; c < C; c++) out[o + c] = fill[c];
        continue;
      }
      xin -= 0.5;
      yin -= 0.5;
      const xf = Math.floor(xin);
      const yf = Math.floor(yin);
      const dx = xin - xf;
      const dy = yin - yf;
      for (let c = 0; c < C; c++) {
        if (resample === 'bilinear') {
          const r0 = px(yf, xf, c) + (px(yf, xf + 1, c) - px(yf, xf, c)) * dx;
          const r1 = yf + 1 >= 0 && yf + 1 < H ? px(yf + 1, xf, c) + (px(yf + 1, xf + 1, c) - px(yf + 1, xf, c)) * dx : r0;
          out[o + c] = Math.trunc(r0 + (r1 - r0) * dy);
        } else {
          const rowAt = (yy: number) => cubic(px(yy, xf - 1, c), px(yy, xf, c), px(yy, xf + 1, c), px(yy, xf + 2, c), dx);
          const v1 = rowAt(yf - 1);
          const v2 = yf >= 0 && yf < H ? rowAt(yf) : v1;
          const v3 = yf + 1 >= 0 && yf + 1 < H ? rowAt(yf + 1) : v2;
          const v4 = yf + 2 >= 0 && yf + 2 < H ? rowAt(yf + 2) : v3;
          const v = cubic(v1, v2, v3, v4, dy);
          out[o + c] = v <= 0 ? 0 : v >= 255 ? 255 : Math.trunc(v);
        }
      }
    }
  }
  return { ...img, data: out };
}

/** Python's round(x, 15), used by PIL's rotate matrix. */
function round15(x: number): number {
  return Number(x.toFixed(15));
}

/** PIL's `img.rotate(degrees, resample, fillcolor)` about the center, same size. @example rotate(img, 15, 'bilinear') */
export function rotate(img: RGBImage, degrees: number, resample: 'bilinear' | 'bicubic', fill?: readonly number[]): RGBImage {
  const angleMod = ((degrees % 360) + 360) % 360;
  if (angleMod === 0) return { ...img, data: new Uint8Array(img.data) };
  const a = -(angleMod * (Math.PI / 180)); // PIL rotates by angle % 360, via math.radians
  const m = [round15(Math.cos(a)), round15(Math.sin(a)), 0, round15(-Math.sin(a)), round15(Math.cos(a)), 0];
  const cx = img.width / 2;
  const cy = img.height / 2;
  m[2] = m[0] * -cx + m[1] * -cy + 0 + cx;
  m[5] = m[3] * -cx + m[4] * -cy + 0 + cy;
  return affine(img, m, resample, fill);
}
