// Resizing a patch-embedding kernel to another patch size, as FlexiViT (Beyer et al., 2023) and
// timm's `resample_patch_embed`: the kernel that, applied to a patch resized with the same
// interpolation, gives the old kernel's response — the pseudo-inverse of the resize.
import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError, ShapeError, fmtShape } from './errors';
import { type ResampleMode, resampleMatrix } from './interpolate_weights';

/** Options of {@link resamplePatchEmbed}. */
export interface ResamplePatchEmbedOptions {
  /** The resize whose effect is inverted (timm's `interpolation`). Default 'bicubic'. */
  interpolation?: ResampleMode;
  /** PyTorch's `antialias` for that resize (bilinear / bicubic only). Default true, as timm. */
  antialias?: boolean;
  /** Kernel layout: 'OIHW' (default; PyTorch / timm state dicts) or 'HWIO' (tfjs conv2d). The output keeps it. */
  dataFormat?: 'OIHW' | 'HWIO';
}

/** float32's machine epsilon: PyTorch's default pinv cutoff is `eps · max(m, n) · σmax`. */
const EPS_F32 = 2 ** -23;

/**
 * Singular value decomposition of a row-major `[m, n]` matrix with `m ≥ n` by one-sided Jacobi
 * rotations (Hestenes), in float64: `A = U · diag(s) · Vᵀ`, `U` `[m, n]`, `V` `[n, n]`.
 */
function jacobiSvd(a: Float64Array, m: number, n: number): { u: Float64Array; s: Float64Array; v: Float64Array } {
  const u = Float64Array.from(a);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < 60; sweep++) {
    let off = 0;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        let alpha = 0;
        let beta = 0;
        let gamma = 0;
        for (let i = 0; i < m; i++) {
          const x = u[i * n + p]!;
          const y = u[i * n + q]!;
          alpha += x * x;
          beta += y * y;
          gamma += x * y;
        }
        if (gamma === 0 || Math.abs(gamma) <= 1e-15 * Math.sqrt(alpha * beta)) continue;
        off = Math.max(off, Math.abs(gamma) / Math.sqrt(alpha * beta));
        const zeta = (beta - alpha) / (2 * gamma);
        const t = Math.sign(zeta || 1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = c * t;
        for (let i = 0; i < m; i++) {
          const x = u[i * n + p]!;
          const y = u[i * n + q]!;
          u[i * n + p] = c * x - s * y;
          u[i * n + q] = s * x + c * y;
        }
        for (let i = 0; i < n; i++) {
          const x = v[i * n + p]!;
          const y = v[i * n + q]!;
          v[i * n + p] = c * x - s * y;
          v[i * n + q] = s * x + c * y;
        }
      }
    }
    if (off < 1e-15) break;
  }
  const s = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    let norm = 0;
    for (let i = 0; i < m; i++) norm += u[i * n + j]! ** 2;
    s[j] = Math.sqrt(norm);
    if (s[j]! > 0) for (let i = 0; i < m; i++) u[i * n + j]! /= s[j]!;
  }
  return { u, s, v };
}

/**
 * The Moore–Penrose pseudo-inverse `pinv(A)` (`[n, m]`, row-major) of a row-major `[m, n]` matrix,
 * with PyTorch's default cutoff: singular values ≤ `eps_f32 · max(m, n) · σmax` are dropped.
 */
function pinv(a: Float64Array, m: number, n: number): Float64Array {
  const tall = m >= n;
  // the SVD of the tall one of A and Aᵀ = U diag(s) Vᵀ; then pinv(A) = V diag(1/s) Uᵀ (tall) or U diag(1/s) Vᵀ
  const [rows, cols] = tall ? [m, n] : [n, m];
  const src = tall ? a : Float64Array.from({ length: m * n }, (_, k) => a[(k % m) * n + Math.floor(k / m)]!);
  const { u, s, v } = jacobiSvd(src, rows, cols);
  const cutoff = EPS_F32 * Math.max(m, n) * Math.max(0, ...s);
  const out = new Float64Array(n * m);
  for (let k = 0; k < cols; k++) {
    if (!(s[k]! > cutoff)) continue;
    const inv = 1 / s[k]!;
    for (let i = 0; i < rows; i++) {
      const ui = u[i * cols + k]! * inv;
      if (ui === 0) continue;
      for (let j = 0; j < cols; j++) {
        const vj = v[j * cols + k]!;
        if (tall) out[j * m + i] += vj * ui; // [n, m]: row j of V, column i of Uᵀ
        else out[i * m + j] += ui * vj; // [n, m] = U [n, m] · Vᵀ
      }
    }
  }
  return out;
}

/**
 * One axis of the kernel resampling: `pinv(R)` `[oldSize, newSize]`, `R` the `[newSize, oldSize]`
 * resize matrix of `F.interpolate` along that axis. A 2-D resize is the Kronecker product of its
 * two axes' (row-major `h·W + w`), and `pinv(Rh ⊗ Rw) = pinv(Rh) ⊗ pinv(Rw)`, so the new kernel is
 * `pinv(Rh)ᵀ · K · pinv(Rw)`: timm's pseudo-inverse of the full 2-D matrix, one axis at a time.
 */
function axisFactor(oldSize: number, newSize: number, mode: ResampleMode, antialias: boolean): Float32Array {
  const r = Float64Array.from(resampleMatrix(oldSize, newSize, mode, false, antialias)); // PyTorch's float32 weights
  return Float32Array.from(pinv(r, newSize, oldSize));
}

function checkSize(size: readonly number[]): void {
  if (!(Array.isArray(size) && size.length === 2 && size.every((s) => Number.isInteger(s) && s > 0))) {
    throw new ArgumentError(`resamplePatchEmbed: newSize must be [height, width] of positive integers, got ${JSON.stringify(size)}`);
  }
}

/**
 * Resamples a patch-embedding kernel `[out, in, h, w]` to `newSize = [H, W]` as timm's
 * `resample_patch_embed(kernel, new_size, interpolation, antialias)` (FlexiViT's PI-resize): the
 * new kernel is `pinv(R)ᵀ` applied to the old, `R` the resize of a `h×w` patch to `H×W` by
 * `F.interpolate` (bicubic with antialias by default), so that on patches resized that way the new
 * kernel gives what the old one gave on the originals — load a /16 kernel into a /8 model, or the
 * reverse. Works in float32 (the pseudo-inverse in float64). Equal sizes return a copy.
 *
 * @example
 * ```ts
 * // a ViT-B/16 patch embedding [768, 3, 16, 16] for a /8 model
 * const w8 = resamplePatchEmbed(w16, [8, 8]); // [768, 3, 8, 8]
 * const w14 = resamplePatchEmbed(w16, [14, 14], { interpolation: 'bilinear', antialias: false });
 * ```
 */
export function resamplePatchEmbed(kernel: tf.Tensor, newSize: [number, number], options: ResamplePatchEmbedOptions = {}): tf.Tensor {
  const { interpolation = 'bicubic', antialias = true, dataFormat = 'OIHW' } = options;
  if (kernel.rank !== 4) {
    throw new ShapeError(`resamplePatchEmbed: kernel expected rank 4 (${dataFormat === 'OIHW' ? '[out, in, h, w]' : '[h, w, in, out]'}), got ${fmtShape(kernel.shape)}`);
  }
  checkSize(newSize);
  if (!['nearest', 'bilinear', 'bicubic'].includes(interpolation)) throw new ArgumentError(`resamplePatchEmbed: unknown interpolation '${interpolation}'`);
  if (interpolation === 'nearest' && antialias) throw new ArgumentError("resamplePatchEmbed: antialias applies to 'bilinear' and 'bicubic' only (as in PyTorch); pass antialias: false");
  if (dataFormat !== 'OIHW' && dataFormat !== 'HWIO') throw new ArgumentError(`resamplePatchEmbed: unknown dataFormat '${dataFormat}'`);
  return tf.tidy(() => {
    const oihw = dataFormat === 'OIHW' ? kernel : tf.transpose(kernel, [3, 2, 0, 1]);
    const [O, I, h, w] = oihw.shape as number[];
    const [H, W] = newSize;
    if (h === H && w === W) return tf.clone(kernel);
    const k = oihw.dtype === 'float32' ? oihw : tf.cast(oihw, 'float32');
    // width: [O·I·h, w] · pinv(Rw) [w, W]
    let y = tf.matMul(tf.reshape(k, [O! * I! * h!, w!]), tf.tensor2d(axisFactor(w!, W, interpolation, antialias), [w!, W]));
    // height on the transposed plane: [O·I·W, h] · pinv(Rh) [h, H]
    y = tf.transpose(tf.reshape(y, [O! * I!, h!, W]), [0, 2, 1]);
    y = tf.reshape(tf.matMul(tf.reshape(y, [O! * I! * W, h!]), tf.tensor2d(axisFactor(h!, H, interpolation, antialias), [h!, H])), [O!, I!, W, H]);
    const out = tf.transpose(y, [0, 1, 3, 2]);
    const typed = kernel.dtype === 'float32' ? out : tf.cast(out, kernel.dtype);
    return dataFormat === 'OIHW' ? typed : tf.transpose(typed, [2, 3, 1, 0]);
  });
}
