// A small convolutional stem (Xiao et al., "Early Convolutions Help Transformers See Better", 2021;
// timm's vision_transformer_hybrid.ConvStem): stride-2 conv → norm → act, repeated, on NHWC images.
import * as tf from '@tensorflow/tfjs-core';
import { Conv2d, GELU, Identity, LayerNorm, Module, type TensorModule } from '@tfjs-vit/layers';
import { ArgumentError } from '@tfjs-vit/ops';

/** One conv → norm → act unit; children named as timm's ConvNormAct (`conv`, `bn`, `act`). */
export class ConvNormAct extends Module {
  readonly conv: Conv2d;
  readonly bn: TensorModule;
  readonly act: TensorModule;

  constructor(conv: Conv2d, norm: TensorModule, act: TensorModule) {
    super();
    this.conv = this.registerModule('conv', conv);
    this.bn = this.registerModule('bn', norm);
    this.act = this.registerModule('act', act);
  }

  forward(x: tf.Tensor): tf.Tensor4D {
    return tf.tidy(() => this.act.forward(this.bn.forward(this.conv.forward(x))) as tf.Tensor4D);
  }
}

export interface ConvStemOptions {
  /** Input channels (default 3). */
  inChans?: number;
  /** Output channels of each conv (default [24, 48, 96, 192]: four convs, /16). */
  channels?: readonly number[];
  /** Kernel size of each conv (default 3, padding k/2). */
  kernelSize?: number;
  /** Stride of each conv (default 2 each). */
  strides?: readonly number[];
  /**
   * Norm over channels after each conv but the last (default LayerNorm, eps 1e-6: NHWC makes a
   * channel LayerNorm one op; timm's ConvStem defaults to BatchNorm).
   */
  normLayer?: (channels: number) => TensorModule;
  /** Activation after each norm (default exact GELU). */
  actLayer?: () => TensorModule;
}

/**
 * A stack of `ConvNormAct` units; the last is a plain conv with bias (timm's ConvStem layout):
 * state-dict keys `0.conv.weight`, `0.bn.weight`, …, `3.conv.bias`. NHWC in, NHWC out.
 *
 * @example
 * ```ts
 * const stem = new ConvStem({ channels: [24, 48, 96, 192] });
 * stem.forward(tf.zeros([1, 224, 224, 3])).shape; // [1, 14, 14, 192]
 * stem.outputSize(224, 224);                      // [14, 14]
 * ```
 */
export class ConvStem extends Module {
  readonly units: ConvNormAct[] = [];
  readonly outChannels: number;

  constructor(options: ConvStemOptions = {}) {
    super();
    const channels = options.channels ?? [24, 48, 96, 192];
    const strides = options.strides ?? channels.map(() => 2);
    const k = options.kernelSize ?? 3;
    if (!channels.length || strides.length !== channels.length) {
      throw new ArgumentError(`ConvStem: need one stride per conv, got ${channels.length} channels and ${strides.length} strides`);
    }
    const norm = options.normLayer ?? ((c: number) => new LayerNorm(c, { eps: 1e-6 }));
    const act = options.actLayer ?? (() => new GELU());
    // registered flat (`0.conv…`) as timm's nn.Sequential subclass
    let prev = options.inChans ?? 3;
    channels.forEach((c, i) => {
      const last = i === channels.length - 1;
      const conv = new Conv2d(prev, c, k, { stride: strides[i], padding: Math.floor(k / 2), bias: last });
      const unit = new ConvNormAct(conv, last ? new Identity() : norm(c), last ? new Identity() : act());
      this.registerModule(String(i), unit);
      this.units.push(unit);
      prev = c;
    });
    this.outChannels = prev;
  }

  forward(x: tf.Tensor): tf.Tensor4D {
    return tf.tidy(() => {
      let y = x as tf.Tensor4D;
      for (const u of this.units) y = u.forward(y);
      return y;
    });
  }

  /** The feature-map size for an `height` x `width` input (conv arithmetic, no compute). */
  outputSize(height: number, width: number): [number, number] {
    let [h, w] = [height, width];
    for (const { conv } of this.units) {
      const [t, b, l, r] = conv.pads;
      h = Math.floor((h + t + b - conv.kernelSize[0]) / conv.stride[0]) + 1;
      w = Math.floor((w + l + r - conv.kernelSize[1]) / conv.stride[1]) + 1;
    }
    return [h, w];
  }
}
