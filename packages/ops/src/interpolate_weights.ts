// 1-D resampling matrices that reproduce PyTorch's upsample kernels (ATen UpSample.h / UpSampleKernel.cpp)
// as dense [outSize, inSize] weights, so a 2-D resize is two plain matMuls.

/** A resampling mode of {@link resampleMatrix}. */
export type ResampleMode = 'nearest' | 'bilinear' | 'bicubic';

/** Keys' cubic convolution coefficient PyTorch uses without antialias (same as TensorFlow). */
const CUBIC_A = -0.75;
/** Pillow's coefficient, which PyTorch's antialiased bicubic uses instead. */
const CUBIC_A_AA = -0.5;

// Keys' cubic kernel, split as PyTorch writes it: |x| ≤ 1 and 1 < |x| < 2.
const cubicInner = (x: number, a: number): number => ((a + 2) * x - (a + 3)) * x * x + 1;
const cubicOuter = (x: number, a: number): number => ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;

function cubicFilter(x: number, a: number): number {
  const ax = Math.abs(x);
  if (ax < 1) return cubicInner(ax, a);
  if (ax < 2) return cubicOuter(ax, a);
  return 0;
}

const triangleFilter = (x: number): number => Math.max(0, 1 - Math.abs(x));

/** PyTorch's `area_pixel_compute_scale` for size-specified resizes, in float32 as its float kernels. */
function pixelScale(inSize: number, outSize: number, alignCorners: boolean): number {
  if (alignCorners) return outSize > 1 ? Math.fround((inSize - 1) / (outSize - 1)) : 0;
  return Math.fround(inSize / outSize);
}

/**
 * Weights `W` with `out = W · in` along one axis: row `i` holds the taps of output sample `i`.
 * Without antialias: PyTorch's `upsample_{nearest,bilinear,bicubic}2d` (border indices clamped, so
 * clamped taps accumulate on the edge sample). With antialias: PyTorch's `_upsample_*_aa`, Pillow's
 * separable filter whose support widens by the scale when downsampling, taps outside the input
 * dropped and the row renormalised — which is why it differs from the plain kernel even upsampling.
 */
export function resampleMatrix(
  inSize: number, outSize: number, mode: ResampleMode, alignCorners = false, antialias = false,
): Float32Array {
  const w = new Float64Array(outSize * inSize);
  const scale = pixelScale(inSize, outSize, alignCorners);
  const clampIdx = (i: number) => Math.min(Math.max(i, 0), inSize - 1);
  for (let i = 0; i < outSize; i++) {
    const row = i * inSize;
    if (mode === 'nearest') {
      // nearest_idx: identity, exact 2x, else floor(i · scale) in float32, capped at the last sample.
      let src: number;
      if (outSize === inSize) src = i;
      else if (outSize === 2 * inSize) src = i >> 1;
      else src = Math.min(Math.floor(Math.fround(i * Math.fround(inSize / outSize))), inSize - 1);
      w[row + src] = 1;
    } else if (antialias) {
      const support = (mode === 'bilinear' ? 1 : 2) * (scale >= 1 ? scale : 1);
      const invScale = scale >= 1 ? 1 / scale : 1;
      const center = scale * (i + 0.5);
      const lo = Math.max(Math.trunc(center - support + 0.5), 0);
      const hi = Math.min(Math.trunc(center + support + 0.5), inSize);
      let total = 0;
      for (let j = lo; j < hi; j++) {
        const t = (j - center + 0.5) * invScale;
        const v = mode === 'bilinear' ? triangleFilter(t) : cubicFilter(t, CUBIC_A_AA);
        w[row + j] = v;
        total += v;
      }
      if (total !== 0) for (let j = lo; j < hi; j++) w[row + j] /= total;
    } else if (mode === 'bilinear') {
      let src = alignCorners ? scale * i : scale * (i + 0.5) - 0.5;
      if (src < 0) src = 0;
      const i0 = Math.floor(src);
      const i1 = i0 < inSize - 1 ? i0 + 1 : i0;
      const l1 = src - i0;
      w[row + i0] += 1 - l1;
      w[row + i1] += l1;
    } else {
      const src = alignCorners ? scale * i : scale * (i + 0.5) - 0.5;
      const i0 = Math.floor(src);
      const t = src - i0;
      const taps = [cubicOuter(t + 1, CUBIC_A), cubicInner(t, CUBIC_A), cubicInner(1 - t, CUBIC_A), cubicOuter(2 - t, CUBIC_A)];
      for (let k = 0; k < 4; k++) w[row + clampIdx(i0 - 1 + k)] += taps[k];
    }
  }
  return Float32Array.from(w);
}

/** The transpose of a row-major `[rows, cols]` matrix. */
export function transposeMatrix(m: Float32Array, rows: number, cols: number): Float32Array {
  const t = new Float32Array(m.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = m[r * cols + c];
  return t;
}
