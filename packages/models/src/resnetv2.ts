// The ResNetV2 backbone of timm's ViT hybrids (models/resnetv2.py with preact=False,
// stem_type='same', StdConv2dSame eps 1e-8, GroupNorm 32 groups + ReLU): the R50/R26 of
// Dosovitskiy et al. (2020) and the augreg "R+ViT" models, NHWC in and out, timm's state-dict keys.
import * as tf from '@tensorflow/tfjs-core';
import { GroupNormAct, MaxPool2dSame, Module, ModuleList, sameOutputSize, StdConv2dSame } from '@tfjs-vit/layers';
import { ArgumentError, fmtShape, ShapeError } from '@tfjs-vit/ops';
import type { FeatureBackbone } from './hybrid_embed';

/** Options of {@link ResNetV2} and {@link ResNetV2Stem}; defaults are the ViT hybrids'. */
export interface ResNetV2Options {
  /** Input channels (default 3). */
  inChans?: number;
  /** Stem width (default 64). */
  stemChs?: number;
  /** Output channels of each stage (default [256, 512, 1024, 2048]); at most 4 stages. */
  channels?: readonly number[];
  /** Bottleneck width / block width (default 0.25), rounded as timm's `make_divisible`. */
  bottleRatio?: number;
  /** GroupNorm groups (default 32). */
  numGroups?: number;
  /** Weight-standardisation eps of every StdConv2dSame (default 1e-8, timm's `_resnetv2`). */
  convEps?: number;
}

/** timm's `make_divisible(v, 8)`: the nearest multiple of 8 (at least 8), never 10% below v. */
export function makeDivisible(v: number, divisor = 8): number {
  let n = Math.max(divisor, Math.floor((v + divisor / 2) / divisor) * divisor);
  if (n < 0.9 * v) n += divisor;
  return n;
}

interface Parts {
  conv: (cin: number, cout: number, k: number, stride?: number) => StdConv2dSame;
  norm: (c: number, act?: boolean) => GroupNormAct;
}

function parts(o: ResNetV2Options): Parts {
  const eps = o.convEps ?? 1e-8;
  const groups = o.numGroups ?? 32;
  return {
    conv: (cin, cout, k, stride = 1) => new StdConv2dSame(cin, cout, k, { stride, eps }),
    norm: (c, act = true) => {
      if (c % groups) throw new ArgumentError(`ResNetV2: ${c} channels are not divisible into ${groups} GroupNorm groups`);
      return new GroupNormAct(c, { numGroups: groups, applyAct: act });
    },
  };
}

/**
 * The 'same' stem (timm's `create_resnetv2_stem(stem_type='same', preact=False)`): 7x7/2
 * StdConv2dSame → GroupNorm + ReLU → 3x3/2 TF-"SAME" max pool, /4. Keys `conv.weight`,
 * `norm.weight`, `norm.bias`. On its own it is the backbone of `vit_tiny_r_s16_p8_*`
 * (`_resnetv2(layers=())`).
 *
 * @example
 * ```ts
 * const stem = new ResNetV2Stem();
 * stem.forward(tf.zeros([1, 224, 224, 3])).shape; // [1, 56, 56, 64]
 * ```
 */
export class ResNetV2Stem extends Module implements FeatureBackbone {
  readonly conv: StdConv2dSame;
  readonly norm: GroupNormAct;
  readonly pool: MaxPool2dSame;
  readonly outChannels: number;

  constructor(options: ResNetV2Options = {}) {
    super();
    const p = parts(options);
    const chs = positiveInt('stemChs', options.stemChs ?? 64);
    this.conv = this.registerModule('conv', p.conv(positiveInt('inChans', options.inChans ?? 3), chs, 7, 2));
    this.norm = this.registerModule('norm', p.norm(chs));
    this.pool = this.registerModule('pool', new MaxPool2dSame(3, { stride: 2 }));
    this.outChannels = chs;
  }

  forward(x: tf.Tensor): tf.Tensor4D {
    return tf.tidy(() => this.pool.forward(this.norm.forward(this.conv.forward(x))));
  }

  /** `[ceil(h/4), ceil(w/4)]`. */
  outputSize(height: number, width: number): [number, number] {
    const [h, w] = sameOutputSize(height, width, [2, 2]);
    return sameOutputSize(h, w, [2, 2]);
  }
}

/** timm's `DownsampleConv` (preact=False): 1x1 StdConv2dSame at the block's stride → GroupNorm, no act. */
export class DownsampleConv extends Module {
  readonly conv: StdConv2dSame;
  readonly norm: GroupNormAct;

  constructor(conv: StdConv2dSame, norm: GroupNormAct) {
    super();
    this.conv = this.registerModule('conv', conv);
    this.norm = this.registerModule('norm', norm);
  }

  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.norm.forward(this.conv.forward(x)));
  }
}

/**
 * timm's non-pre-activation `Bottleneck` (ResNet v1.5 layout, used for ViT): 1x1 → 3x3 (stride
 * here) → 1x1 convs, each followed by GroupNorm (+ ReLU but the last); ReLU(residual + shortcut).
 * Keys `downsample.conv/norm` (first block of a stage), `conv1`, `norm1`, `conv2`, `norm2`,
 * `conv3`, `norm3`.
 */
export class Bottleneck extends Module {
  readonly downsample: DownsampleConv | null;
  readonly conv1: StdConv2dSame;
  readonly norm1: GroupNormAct;
  readonly conv2: StdConv2dSame;
  readonly norm2: GroupNormAct;
  readonly conv3: StdConv2dSame;
  readonly norm3: GroupNormAct;

  constructor(inChs: number, outChs: number, stride: number, withDownsample: boolean, options: ResNetV2Options = {}) {
    super();
    const p = parts(options);
    const mid = makeDivisible(outChs * (options.bottleRatio ?? 0.25));
    this.downsample = withDownsample
      ? this.registerModule('downsample', new DownsampleConv(p.conv(inChs, outChs, 1, stride), p.norm(outChs, false)))
      : null;
    this.conv1 = this.registerModule('conv1', p.conv(inChs, mid, 1));
    this.norm1 = this.registerModule('norm1', p.norm(mid));
    this.conv2 = this.registerModule('conv2', p.conv(mid, mid, 3, stride));
    this.norm2 = this.registerModule('norm2', p.norm(mid));
    this.conv3 = this.registerModule('conv3', p.conv(mid, outChs, 1));
    this.norm3 = this.registerModule('norm3', p.norm(outChs, false));
  }

  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const shortcut = this.downsample ? this.downsample.forward(x) : x;
      let y = this.norm1.forward(this.conv1.forward(x));
      y = this.norm2.forward(this.conv2.forward(y));
      y = this.norm3.forward(this.conv3.forward(y));
      return tf.relu(tf.add(y, shortcut));
    });
  }
}

/** A stage (timm's `ResNetStage`): `blocks.0` (with downsample, at the stage's stride), `blocks.1`, …. */
export class ResNetStage extends Module {
  readonly blocks: ModuleList<Bottleneck>;

  constructor(inChs: number, outChs: number, stride: number, depth: number, options: ResNetV2Options = {}) {
    super();
    this.blocks = this.registerModule('blocks', new ModuleList<Bottleneck>());
    for (let i = 0; i < depth; i++) {
      this.blocks.push(new Bottleneck(i === 0 ? inChs : outChs, outChs, i === 0 ? stride : 1, i === 0, options));
    }
  }

  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      let y = x;
      for (const b of this.blocks) y = b.forward(y);
      return y;
    });
  }
}

/**
 * timm's `ResNetV2(layers, num_classes=0, global_pool='', preact=False, stem_type='same',
 * conv_layer=StdConv2dSame(eps=1e-8))` as a feature backbone: the 'same' stem (/4), then a stage
 * of `layers[i]` Bottlenecks per entry (stride 1 for the first, 2 after), no final norm or head.
 * Keys `stem.conv.weight`, `stem.norm.weight`, `stages.0.blocks.0.downsample.conv.weight`, ….
 * NHWC in, NHWC out `[B, ceil(H/2^(i+2))…, channels[i]]`.
 *
 * @example
 * ```ts
 * const r50 = new ResNetV2([3, 4, 9]);                // the R50 of vit_base_r50_s16_224: /16, 1024 ch
 * r50.outputSize(224, 224);                           // [14, 14]
 * const small = new ResNetV2([1, 1]);                 // what backboneLayers: [1, 1] builds
 * small.forward(tf.zeros([1, 64, 64, 3])).shape;      // [1, 8, 8, 512]
 * ```
 */
export class ResNetV2 extends Module implements FeatureBackbone {
  readonly stem: ResNetV2Stem;
  readonly stages: ModuleList<ResNetStage>;
  readonly outChannels: number;

  constructor(layers: readonly number[], options: ResNetV2Options = {}) {
    super();
    const channels = options.channels ?? [256, 512, 1024, 2048];
    checkLayers(layers, channels.length);
    if (!layers.length) throw new ArgumentError('ResNetV2: layers is empty; use ResNetV2Stem (or createResNetV2Backbone) for a stem-only backbone');
    this.stem = this.registerModule('stem', new ResNetV2Stem(options));
    this.stages = this.registerModule('stages', new ModuleList<ResNetStage>());
    let prev = this.stem.outChannels;
    layers.forEach((depth, i) => {
      const out = positiveInt(`channels[${i}]`, channels[i]!);
      this.stages.push(new ResNetStage(prev, out, i === 0 ? 1 : 2, depth, options));
      prev = out;
    });
    this.outChannels = prev;
  }

  forward(x: tf.Tensor): tf.Tensor4D {
    if (x.rank !== 4) throw new ShapeError(`ResNetV2: expected NHWC input [B, H, W, C], got ${fmtShape(x.shape)}`);
    return tf.tidy(() => {
      let y: tf.Tensor = this.stem.forward(x);
      for (const s of this.stages) y = s.forward(y);
      return y as tf.Tensor4D;
    });
  }

  /** The feature-map size for an `height × width` input (every stride-2 op gives ceil(n/2)). */
  outputSize(height: number, width: number): [number, number] {
    let size = this.stem.outputSize(height, width);
    for (let i = 1; i < this.stages.length; i++) size = sameOutputSize(size[0], size[1], [2, 2]);
    return size;
  }
}

/**
 * timm's `_resnetv2(layers)` of the ViT hybrids: a {@link ResNetV2} with those blocks per stage, or
 * for `layers = []` the bare {@link ResNetV2Stem} (keys `conv.…`, `norm.…`, not `stem.…`).
 *
 * @example
 * ```ts
 * createResNetV2Backbone([2, 2, 2, 2]); // R26 of vit_small_r26_s32_224: /32, 2048 channels
 * createResNetV2Backbone([]);           // the stem of vit_tiny_r_s16_p8_224: /4, 64 channels
 * ```
 */
export function createResNetV2Backbone(layers: readonly number[], options: ResNetV2Options = {}): ResNetV2 | ResNetV2Stem {
  checkLayers(layers, (options.channels ?? [256, 512, 1024, 2048]).length);
  return layers.length ? new ResNetV2(layers, options) : new ResNetV2Stem(options);
}

/**
 * The parameter keys and shapes of `createResNetV2Backbone(layers, options)` without building it
 * (no tensor, no backend), with its output channels and feature-map size: what counting a hybrid's
 * parameters needs.
 *
 * @example
 * ```ts
 * const r50 = resNetV2Shapes([3, 4, 9]);
 * r50.shapes.get('stages.2.blocks.0.conv2.weight'); // [256, 256, 3, 3]
 * r50.outChannels;                                  // 1024
 * r50.outputSize(224, 224);                         // [14, 14]
 * ```
 */
export function resNetV2Shapes(layers: readonly number[], options: ResNetV2Options = {}): {
  shapes: Map<string, number[]>;
  outChannels: number;
  outputSize: (height: number, width: number) => [number, number];
} {
  const channels = options.channels ?? [256, 512, 1024, 2048];
  checkLayers(layers, channels.length);
  const shapes = new Map<string, number[]>();
  const conv = (key: string, cin: number, cout: number, k: number) => shapes.set(`${key}.weight`, [cout, cin, k, k]);
  const norm = (key: string, c: number) => {
    shapes.set(`${key}.weight`, [c]);
    shapes.set(`${key}.bias`, [c]);
  };
  const stem = layers.length ? 'stem.' : '';
  let prev = positiveInt('stemChs', options.stemChs ?? 64);
  conv(`${stem}conv`, positiveInt('inChans', options.inChans ?? 3), prev, 7);
  norm(`${stem}norm`, prev);
  layers.forEach((depth, i) => {
    const out = positiveInt(`channels[${i}]`, channels[i]!);
    const mid = makeDivisible(out * (options.bottleRatio ?? 0.25));
    for (let b = 0; b < depth; b++) {
      const p = `stages.${i}.blocks.${b}.`;
      const cin = b === 0 ? prev : out;
      if (b === 0) {
        conv(`${p}downsample.conv`, cin, out, 1);
        norm(`${p}downsample.norm`, out);
      }
      conv(`${p}conv1`, cin, mid, 1);
      norm(`${p}norm1`, mid);
      conv(`${p}conv2`, mid, mid, 3);
      norm(`${p}norm2`, mid);
      conv(`${p}conv3`, mid, out, 1);
      norm(`${p}norm3`, out);
    }
    prev = out;
  });
  const halvings = 2 + Math.max(0, layers.length - 1); // stem conv and pool, then each stage after the first
  const outputSize = (height: number, width: number): [number, number] => {
    let size: [number, number] = [height, width];
    for (let i = 0; i < halvings; i++) size = sameOutputSize(size[0], size[1], [2, 2]);
    return size;
  };
  return { shapes, outChannels: prev, outputSize };
}

function checkLayers(layers: readonly number[], maxStages: number): void {
  if (!Array.isArray(layers)) throw new ArgumentError(`ResNetV2: layers must be an array of blocks per stage, got ${String(layers)}`);
  const max = Math.min(4, maxStages);
  if (layers.length > max) {
    throw new ArgumentError(`ResNetV2: at most ${max} stages (one per entry of channels), got layers [${layers.join(', ')}]`);
  }
  layers.forEach((d, i) => {
    if (!(Number.isInteger(d) && d > 0)) throw new ArgumentError(`ResNetV2: layers[${i}] must be a positive integer (blocks in stage ${i}), got ${d}`);
  });
}

function positiveInt(what: string, v: number): number {
  if (!(Number.isInteger(v) && v > 0)) throw new ArgumentError(`ResNetV2: ${what} must be a positive integer, got ${v}`);
  return v;
}
