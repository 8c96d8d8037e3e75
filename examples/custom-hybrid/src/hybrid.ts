// A hybrid ViT built from single layers of @tfjs-vit/layers: a CNN stem turns the image into a
// grid of feature vectors, each grid cell becomes a token, and ViT Blocks take it from there.
import * as tf from '@tensorflow/tfjs-core';
import { Block, Conv2d, GELU, LayerNorm, Linear, MaxPool2d, Module, Parameter, Sequential, truncNormalInit } from '@tfjs-vit/layers';

/** Sizes of {@link SmallHybrid}. */
export interface SmallHybridOptions {
  imgSize: number;
  inChans: number;
  numClasses: number;
  /** Channels of the stem's conv (default 32). */
  stemChannels?: number;
  /** Token width (default 64). */
  embedDim?: number;
  depth?: number;
  numHeads?: number;
}

/**
 * stem: conv 3×3 → LayerNorm over channels → GELU → max-pool /2; projection: conv 2×2 stride 2 to
 * `embedDim` (each output pixel a token, /4 in all); then a class token, learned position
 * embeddings, `depth` Blocks, a final LayerNorm and a linear head on the class token.
 */
export class SmallHybrid extends Module {
  readonly stem: Sequential;
  readonly proj: Conv2d;
  readonly clsToken: Parameter;
  readonly posEmbed: Parameter;
  readonly blocks: Sequential;
  readonly norm: LayerNorm;
  readonly head: Linear;

  constructor(o: SmallHybridOptions) {
    super();
    const c = o.stemChannels ?? 32;
    const d = o.embedDim ?? 64;
    this.stem = this.registerModule('stem', new Sequential([
      new Conv2d(o.inChans, c, 3, { padding: 1 }), new LayerNorm(c), new GELU(), new MaxPool2d(2),
    ]));
    this.proj = this.registerModule('proj', new Conv2d(c, d, 2, { stride: 2 }));
    const tokens = (Math.floor(o.imgSize / 2) >> 1) ** 2;
    this.clsToken = this.registerParameter('cls_token', truncNormalInit([1, 1, d], 1e-6));
    this.posEmbed = this.registerParameter('pos_embed', truncNormalInit([1, 1 + tokens, d], 0.02));
    this.blocks = this.registerModule('blocks', new Sequential(Array.from({ length: o.depth ?? 2 }, () => new Block(d, o.numHeads ?? 2, { mlpRatio: 2, qkvBias: true }))));
    this.norm = this.registerModule('norm', new LayerNorm(d));
    this.head = this.registerModule('head', new Linear(d, o.numClasses));
  }

  /** `[B, H, W, C]` images → `[B, numClasses]` logits. */
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const f = this.proj.forward(this.stem.forward(x)) as tf.Tensor4D; // [B, h, w, d]
      const [b, h, w, d] = f.shape;
      const tokens = tf.reshape(f, [b, h * w, d]);
      const cls = tf.tile(this.clsToken.value, [b, 1, 1]);
      const seq = tf.add(tf.concat([cls, tokens], 1), this.posEmbed.value);
      const y = this.norm.forward(this.blocks.forward(seq));
      return this.head.forward(tf.squeeze(tf.slice(y, [0, 0, 0], [b, 1, d]), [1]));
    });
  }

  /** Names AdamW leaves undecayed (timm's no_weight_decay). */
  noWeightDecay(): string[] {
    return ['cls_token', 'pos_embed'];
  }
}
