// Image → patch tokens (timm's layers/patch_embed.py PatchEmbed): a PxP/stride-P conv `proj`
// (seed 000), flattened to [B, N, D], then an optional norm.
import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError, assertRank, fmtShape, patchify, ShapeError } from '@tfjs-vit/ops';
import { Identity, type TensorModule } from './containers';
import { Conv2d, pair, type Size2 } from './conv2d';
import type { InitMode } from './init';
import { Module } from './module';

export interface PatchEmbedOptions {
  /** Expected image size (default 224); `null` accepts any size divisible by the patch. */
  imgSize?: Size2 | null;
  /** Patch size (default 16); `[h, w]` for non-square patches. */
  patchSize?: Size2;
  /** Input channels (default 3). */
  inChans?: number;
  /** Token width (default 768). */
  embedDim?: number;
  /** Bias on the projection (default true). */
  bias?: boolean;
  /** `[B, N, D]` tokens (default true) or the `[B, gh, gw, D]` grid. */
  flatten?: boolean;
  /** Makes a norm over D applied to the tokens (default none). */
  norm?: (dim: number) => TensorModule;
  /** Require exactly `imgSize` (default true); when false, any multiple of the patch size. */
  strictImgSize?: boolean;
  /** Zero-pad bottom/right up to a multiple of the patch size (default false); implies non-strict. */
  dynamicImgPad?: boolean;
  /** Initial weights of `proj` (default `'torch'`, PyTorch's Conv2d default). */
  init?: InitMode;
  /**
   * How the PxP/stride-P conv is computed: `'matmul'` (default) = patchify + one 2-D matMul with the
   * HWIO kernel as `[P·P·C, D]` (identical math), or `'conv'` = tf.conv2d. See the numbers below.
   */
  impl?: 'matmul' | 'conv';
}

/**
 * Splits NHWC images into non-overlapping patches and projects each to `embedDim`. The child
 * `proj` is a Conv2d (state-dict `proj.weight [D, C, ph, pw]`, `proj.bias [D]`), `norm` is Identity
 * unless a norm factory is given.
 *
 * Speed of the two `impl`s, 224x224x3 → 196x768, wasm backend on this 2-core machine (shared with
 * other jobs, so min of 10+ runs, bench/patch_embed.bench.ts): forward B=1 5.57 ms (matmul) vs 5.66 ms
 * (conv), B=8 92 vs 97 ms; forward + backward B=1 115 vs 144 ms, B=8 911 vs 848 ms. No consistent
 * winner (an earlier quieter run had conv2d 1.26x faster at B=1 forward), so the default follows
 * the house rule of plain 2-D matMuls: `'matmul'`. On cpu both are ~235 ms (B=1).
 *
 * @example
 * ```ts
 * const embed = new PatchEmbed({ imgSize: 224, patchSize: 16, embedDim: 768 });
 * const tokens = embed.forward(tf.zeros([2, 224, 224, 3])); // [2, 196, 768]
 * const wide = new PatchEmbed({ imgSize: [224, 320], patchSize: 16, embedDim: 384 }); // 14x20 grid
 * ```
 */
export class PatchEmbed extends Module {
  readonly patchSize: [number, number];
  private size: { imgSize: [number, number] | null; gridSize: [number, number] | null } = { imgSize: null, gridSize: null };
  readonly embedDim: number;
  readonly inChans: number;
  readonly flatten: boolean;
  readonly strictImgSize: boolean;
  readonly dynamicImgPad: boolean;
  readonly impl: 'matmul' | 'conv';
  readonly proj: Conv2d;
  readonly norm: TensorModule;

  constructor(options: PatchEmbedOptions = {}) {
    super();
    this.patchSize = pair(options.patchSize ?? 16);
    if (options.imgSize !== null) this.setInputSize(options.imgSize ?? 224);
    this.inChans = options.inChans ?? 3;
    this.embedDim = options.embedDim ?? 768;
    this.flatten = options.flatten ?? true;
    this.dynamicImgPad = options.dynamicImgPad ?? false;
    this.strictImgSize = (options.strictImgSize ?? true) && !this.dynamicImgPad && this.imgSize !== null;
    this.impl = options.impl ?? 'matmul';
    this.proj = this.registerModule(
      'proj',
      new Conv2d(this.inChans, this.embedDim, this.patchSize, { stride: this.patchSize, bias: options.bias ?? true, init: options.init }),
    );
    this.norm = this.registerModule('norm', options.norm ? options.norm(this.embedDim) : new Identity());
  }

  /** The image size this embedding expects (null: any). */
  get imgSize(): [number, number] | null {
    return this.size.imgSize;
  }

  /** Patches per axis for `imgSize` (null without one). */
  get gridSize(): [number, number] | null {
    return this.size.gridSize;
  }

  get numPatches(): number | null {
    const grid = this.size.gridSize;
    return grid ? grid[0] * grid[1] : null;
  }

  /**
   * Sets the image size this embedding expects, and so `gridSize` and `numPatches` (timm's
   * `set_input_size`). The projection does not depend on it; position embeddings do (the ViT resamples them).
   */
  setInputSize(imgSize: Size2): void {
    const size = pair(imgSize);
    const [ph, pw] = this.patchSize;
    const grid: [number, number] = [Math.floor(size[0] / ph), Math.floor(size[1] / pw)];
    if (grid[0] < 1 || grid[1] < 1) {
      throw new ArgumentError(`PatchEmbed: image ${size.join('x')} is smaller than patch ${ph}x${pw}`);
    }
    this.size = { imgSize: size, gridSize: grid };
  }

  /** The token grid `[gh, gw]` an image of `height` x `width` gives (after dynamic padding). */
  dynamicGridSize(height: number, width: number): [number, number] {
    const [ph, pw] = this.patchSize;
    return this.dynamicImgPad ? [Math.ceil(height / ph), Math.ceil(width / pw)] : [Math.floor(height / ph), Math.floor(width / pw)];
  }

  /** `x [B, H, W, inChans]` → `[B, N, D]` (flatten) or `[B, gh, gw, D]`. */
  forward(x: tf.Tensor): tf.Tensor {
    this.check(x);
    return tf.tidy(() => {
      const [ph, pw] = this.patchSize;
      const [b, h, w] = x.shape;
      const padH = this.dynamicImgPad ? (ph - (h % ph)) % ph : 0;
      const padW = this.dynamicImgPad ? (pw - (w % pw)) % pw : 0;
      const xp = padH || padW ? tf.pad(x, [[0, 0], [0, padH], [0, padW], [0, 0]]) : x;
      const [gh, gw] = [(h + padH) / ph, (w + padW) / pw];
      let tokens: tf.Tensor;
      if (this.impl === 'conv') {
        tokens = this.proj.forward(xp);
      } else {
        const k = ph * pw * this.inChans;
        const flat = tf.reshape(patchify(xp, [ph, pw], { order: 'hwc' }), [-1, k]);
        tokens = tf.matMul(flat, tf.reshape(this.proj.weight.value, [k, this.embedDim]));
        if (this.proj.bias) tokens = tf.add(tokens, this.proj.bias.value);
      }
      tokens = tf.reshape(tokens, this.flatten ? [b, gh * gw, this.embedDim] : [b, gh, gw, this.embedDim]);
      return this.norm.forward(tokens);
    });
  }

  private check(x: tf.Tensor): void {
    assertRank('PatchEmbed input', x.shape, 4);
    const [, h, w, c] = x.shape;
    const [ph, pw] = this.patchSize;
    if (c !== this.inChans) {
      throw new ShapeError(`PatchEmbed: expected NHWC input with ${this.inChans} channels [B, H, W, ${this.inChans}], got ${fmtShape(x.shape)}`);
    }
    if (this.strictImgSize && (h !== this.imgSize![0] || w !== this.imgSize![1])) {
      throw new ShapeError(
        `PatchEmbed: expected image size ${this.imgSize![0]}x${this.imgSize![1]} ([B, ${this.imgSize![0]}, ${this.imgSize![1]}, ${c}]), ` +
          `got ${h}x${w} (${fmtShape(x.shape)}); pass strictImgSize: false or dynamicImgPad: true for other sizes`,
      );
    }
    if (!this.dynamicImgPad && (h % ph !== 0 || w % pw !== 0)) {
      throw new ShapeError(`PatchEmbed: image size ${h}x${w} (${fmtShape(x.shape)}) is not divisible by patch size ${ph}x${pw}`);
    }
    if (h < 1 || w < 1) throw new ShapeError(`PatchEmbed: empty image ${fmtShape(x.shape)}`);
  }
}
