// HybridEmbed (timm's layers/hybrid_embed.py): a CNN backbone's feature map → ViT tokens through a
// `proj` conv over feature-map patches (usually 1x1). The "hybrid" ViT of Dosovitskiy et al.
import * as tf from '@tensorflow/tfjs-core';
import { Conv2d, Module } from '@tfjs-vit/layers';
import { ArgumentError, fmtShape, ShapeError } from '@tfjs-vit/ops';
import { toPair, type ImgSize } from './vit_config';
import type { EmbedLayer } from './vit_parts';

/** A CNN backbone: NHWC images → an NHWC feature map. */
export interface FeatureBackbone extends Module {
  forward(x: tf.Tensor): tf.Tensor;
  /** Feature-map size for an input size; without it HybridEmbed runs a zero image once (as timm). */
  outputSize?(height: number, width: number): [number, number];
  /** Feature channels; without it HybridEmbed reads them from that zero-image run. */
  readonly outChannels?: number;
}

export interface HybridEmbedOptions {
  /** The model's image size (default 224). */
  imgSize?: ImgSize;
  /** Patch size on the feature map (default 1: every feature-map pixel is a token). */
  patchSize?: ImgSize;
  /** Image channels (default 3). */
  inChans?: number;
  /** Token width (default 768). */
  embedDim?: number;
  /** Bias of `proj` (default true). */
  bias?: boolean;
}

/**
 * Runs `backbone` and projects its feature map to `embedDim` tokens with a patch conv `proj`;
 * a drop-in `patch_embed` for `VisionTransformer` (state-dict keys `backbone.…`, `proj.weight`,
 * `proj.bias`, as timm's HybridEmbed). Returns the token grid `[B, h, w, embedDim]`.
 *
 * @example
 * ```ts
 * const vit = createViT({ embedDim: 192, depth: 4, numHeads: 3,
 *   embedLayer: (a) => new HybridEmbed(new ConvStem({ channels: [24, 48, 96, 192] }),
 *     { imgSize: a.imgSize, inChans: a.inChans, embedDim: a.embedDim }) });
 * vit.eval().forward(tf.zeros([1, 224, 224, 3])).shape; // [1, 1000]
 * ```
 */
export class HybridEmbed extends Module implements EmbedLayer {
  readonly backbone: FeatureBackbone;
  readonly proj: Conv2d;
  readonly patchSize: [number, number];
  readonly featureChannels: number;
  private grid: [number, number];
  private featureSize: [number, number];

  constructor(backbone: FeatureBackbone, options: HybridEmbedOptions = {}) {
    super();
    this.backbone = this.registerModule('backbone', backbone);
    this.patchSize = toPair(options.patchSize ?? 1);
    const inChans = options.inChans ?? 3;
    const probe = this.probe(toPair(options.imgSize ?? 224), inChans);
    this.featureSize = probe.size;
    this.featureChannels = backbone.outChannels ?? probe.channels;
    this.grid = this.gridOf(this.featureSize);
    this.proj = this.registerModule(
      'proj',
      new Conv2d(this.featureChannels, options.embedDim ?? 768, this.patchSize, { stride: this.patchSize, bias: options.bias ?? true }),
    );
  }

  /** Token grid at the model's image size. */
  get gridSize(): readonly [number, number] {
    return this.grid;
  }

  /** Feature-map size at the model's image size. */
  get featureMapSize(): readonly [number, number] {
    return this.featureSize;
  }

  forward(x: tf.Tensor): tf.Tensor4D {
    return tf.tidy(() => {
      const f = this.backbone.forward(x);
      if (f.rank !== 4 || f.shape[3] !== this.featureChannels) {
        throw new ShapeError(`HybridEmbed: backbone must return NHWC [B, h, w, ${this.featureChannels}], got ${fmtShape(f.shape)}`);
      }
      return this.proj.forward(f);
    });
  }

  setInputSize(imgSize: [number, number]): void {
    this.featureSize = this.probe(imgSize, this.proj.inChannels).size;
    this.grid = this.gridOf(this.featureSize);
  }

  private gridOf([h, w]: [number, number]): [number, number] {
    const grid: [number, number] = [Math.floor(h / this.patchSize[0]), Math.floor(w / this.patchSize[1])];
    if (grid[0] < 1 || grid[1] < 1) {
      throw new ArgumentError(`HybridEmbed: feature map ${h}x${w} is smaller than patch ${this.patchSize.join('x')}`);
    }
    return grid;
  }

  private probe([h, w]: [number, number], inChans: number): { size: [number, number]; channels: number } {
    if (this.backbone.outputSize && this.backbone.outChannels) {
      return { size: this.backbone.outputSize(h, w), channels: this.backbone.outChannels };
    }
    // as timm: one forward of a zero image in eval mode to learn the feature map's shape
    const wasTraining = this.backbone.training;
    this.backbone.eval();
    const out = tf.tidy(() => this.backbone.forward(tf.zeros([1, h, w, inChans])));
    const shape = out.shape as number[];
    out.dispose();
    this.backbone.train(wasTraining);
    return { size: [shape[1], shape[2]], channels: shape[3] };
  }
}
