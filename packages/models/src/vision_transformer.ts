// VisionTransformer (Dosovitskiy et al., "An Image is Worth 16x16 Words", 2020) with timm's
// options, parameter names and behaviour, on tfjs-core. Configs and registry live elsewhere.
import * as tf from '@tensorflow/tfjs-core';
import {
  AttentionPoolLatent, Block, Dropout, GELU, Identity, LayerNorm, Linear, Module, ModuleList, normalInit, QuickGELU,
  truncNormalInit, type Parameter, type TensorModule,
} from '@tfjs-vit/layers';
import { ArgumentError, assertRank, TfjsVitError } from '@tfjs-vit/ops';
import { defaultEmbedLayer, resamplePositions } from './default_parts';
import { compileMatcher, type ParamMatcher } from './param_matcher';
import { poolTokens } from './pooling';
import { toNHWCInput } from './vit_input';
import { PreLogits } from './pre_logits';
import type { BlockLike, EmbedLayer, ViTParts } from './vit_parts';
import {
  checkViTOptionKeys, numPrefixTokens, resolveViTConfig, toPair,
  type ActLayerName, type GlobalPool, type ImgSize, type ResolvedViTConfig, type ViTConfig,
} from './vit_config';

/** `createViT`'s argument: timm's constructor kwargs (camelCased) plus the injectable parts. */
export interface VisionTransformerOptions extends Omit<ViTConfig, 'actLayer'>, ViTParts {}

const PART_KEYS = ['normLayer', 'actLayer', 'mlpLayer', 'blockFn', 'embedLayer'];

const ACT_LAYERS: Record<ActLayerName, () => TensorModule> = {
  gelu: () => new GELU(),
  gelu_tanh: () => new GELU({ approximate: 'tanh' }),
  quick_gelu: () => new QuickGELU(),
};

/** Options of `getIntermediateLayers`. */
export interface IntermediateOptions {
  /** Apply the final `norm` to each output (default false). */
  norm?: boolean;
  /** Patch tokens as an NHWC grid `[B, h, w, C]` instead of `[B, h·w, C]` (default false). */
  reshape?: boolean;
  /** Keep the class/register tokens: `[B, prefix + h·w, C]` (default false; not with `reshape`). */
  includePrefixTokens?: boolean;
}

/** The logits and the attention weights `[B, heads, N, N]` of every block (or the chosen ones). */
export interface ForwardWithAttention {
  logits: tf.Tensor;
  attentions: tf.Tensor[];
}

/**
 * A Vision Transformer with timm's options, methods and state-dict keys (`cls_token`,
 * `pos_embed`, `patch_embed.proj.weight`, `blocks.N.attn.qkv.weight`, `norm`, `head`, …).
 * Input is NHWC float32 (`[B, H, W, C]`, what `tf.browser.fromPixels` gives), or NCHW with
 * `dataFormat: 'NCHW'`. Starts in training mode, as PyTorch: call `eval()` for inference.
 *
 * @example
 * ```ts
 * const vit = createViT({ imgSize: [32, 48], patchSize: 8, embedDim: 64, depth: 2, numHeads: 4, numClasses: 10 });
 * const logits = vit.eval().forward(tf.randomNormal([2, 32, 48, 3])); // [2, 10]
 * ```
 */
export class VisionTransformer extends Module {
  private cfg: ResolvedViTConfig;
  readonly numPrefixTokens: number;
  readonly embedDim: number;
  /** Width of the pooled features the head sees (`representationSize` if set, else embedDim). */
  readonly numFeatures: number;
  readonly clsToken: Parameter | null;
  /** DeiT's distillation token (with `distilled`), after the class token. */
  readonly distToken: Parameter | null;
  readonly regToken: Parameter | null;
  private posEmbedParam: Parameter | null;
  readonly patchEmbed: EmbedLayer;
  readonly posDrop: Dropout;
  readonly normPre: TensorModule;
  readonly blocks: ModuleList<BlockLike>;
  readonly norm: TensorModule;
  /** The attention pool of `globalPool: 'map'` (SigLIP), else null. */
  readonly attnPool: AttentionPoolLatent | null;
  readonly fcNorm: TensorModule;
  readonly preLogits: PreLogits | null;
  readonly headDrop: Dropout;
  private headModule: TensorModule;
  private headDistModule: TensorModule | null;

  constructor(options: VisionTransformerOptions = {}) {
    super();
    checkViTOptionKeys(options, PART_KEYS);
    const customAct = typeof options.actLayer === 'function' ? options.actLayer : null;
    const c = resolveViTConfig({ ...options, actLayer: customAct ? 'custom' : (options.actLayer as ActLayerName | undefined) });
    this.cfg = c;
    const dim = c.embedDim;
    this.embedDim = dim;
    this.numPrefixTokens = numPrefixTokens(c);
    const norm = options.normLayer ?? ((d: number) => new LayerNorm(d, { eps: c.normEps }));
    const act = customAct ?? ACT_LAYERS[c.actLayer as ActLayerName];
    const embed = options.embedLayer ?? defaultEmbedLayer;
    this.clsToken = c.classToken ? this.registerParameter('cls_token', normalInit([1, 1, dim], 0, 1e-6)) : null;
    this.distToken = c.distilled ? this.registerParameter('dist_token', truncNormalInit([1, 1, dim], 0.02)) : null;
    this.regToken = c.regTokens ? this.registerParameter('reg_token', normalInit([1, c.regTokens, dim], 0, 1e-6)) : null;
    this.patchEmbed = this.registerModule('patch_embed', embed({
      imgSize: c.imgSize, patchSize: c.patchSize, inChans: c.inChans, embedDim: dim,
      bias: !c.preNorm, dynamicImgSize: c.dynamicImgSize, dynamicImgPad: c.dynamicImgPad,
    }));
    this.posEmbedParam = null;
    if (c.posEmbed === 'learn') this.setPosEmbed(truncNormalInit([1, this.posEmbedLength(this.patchEmbed.gridSize), dim], 0.02));
    this.posDrop = this.registerModule('pos_drop', new Dropout(c.posDropRate));
    this.normPre = this.registerModule('norm_pre', c.preNorm ? norm(dim) : new Identity());
    const blockFn = options.blockFn ?? ((d: number, h: number, o) => new Block(d, h, o));
    this.blocks = this.registerModule('blocks', new ModuleList<BlockLike>());
    for (let i = 0; i < c.depth; i++) {
      // torch.linspace(0, dropPathRate, depth): stochastic depth rises linearly across blocks
      const dropPath = c.depth > 1 ? (c.dropPathRate * i) / (c.depth - 1) : 0;
      this.blocks.push(blockFn(dim, c.numHeads, {
        mlpRatio: c.mlpRatio, qkvBias: c.qkvBias, qkNorm: c.qkNorm, initValues: c.initValues,
        projBias: c.projBias, scaleAttnNorm: c.scaleAttnNorm, scaleMlpNorm: c.scaleMlpNorm,
        projDrop: c.projDropRate, attnDrop: c.attnDropRate, dropPath, normLayer: norm, actLayer: act,
        ...(options.mlpLayer ? { mlpLayer: options.mlpLayer } : {}),
      }));
    }
    this.norm = this.registerModule('norm', c.finalNorm && !c.useFcNorm ? norm(dim) : new Identity());
    this.attnPool = c.globalPool === 'map'
      ? this.registerModule('attn_pool', new AttentionPoolLatent(dim, { numHeads: c.numHeads, mlpRatio: c.mlpRatio, normLayer: norm, actLayer: act }))
      : null;
    this.fcNorm = this.registerModule('fc_norm', c.finalNorm && c.useFcNorm ? norm(dim) : new Identity());
    this.preLogits = c.representationSize ? this.registerModule('pre_logits', new PreLogits(dim, c.representationSize)) : null;
    this.numFeatures = c.representationSize ?? dim;
    this.headDrop = this.registerModule('head_drop', new Dropout(c.dropRate));
    this.headModule = this.registerModule('head', c.numClasses > 0 ? new Linear(this.numFeatures, c.numClasses) : new Identity());
    this.headDistModule = c.distilled ? this.registerModule('head_dist', c.numClasses > 0 ? new Linear(dim, c.numClasses) : new Identity()) : null;
  }

  /** The resolved configuration (a copy). */
  get config(): ResolvedViTConfig {
    return structuredClone(this.cfg);
  }
  get numClasses(): number {
    return this.cfg.numClasses;
  }
  get globalPool(): GlobalPool {
    return this.cfg.globalPool;
  }
  /** The classifier (`Identity` when numClasses is 0). */
  get head(): TensorModule {
    return this.headModule;
  }
  /** The distillation token's classifier (`distilled` models), else null. */
  get headDist(): TensorModule | null {
    return this.headDistModule;
  }
  get posEmbed(): Parameter | null {
    return this.posEmbedParam;
  }
  /** Accept any input size, resampling pos_embed per call (timm's `dynamic_img_size`). */
  get dynamicImgSize(): boolean {
    return this.cfg.dynamicImgSize;
  }
  set dynamicImgSize(flag: boolean) {
    this.cfg.dynamicImgSize = flag;
  }

  /** Logits `[B, numClasses]` (or pooled features when numClasses is 0). */
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.forwardHead(this.forwardFeatures(x)));
  }

  /** All tokens `[B, prefix + h·w, C]` after the blocks and the final norm. */
  forwardFeatures(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      let t = this.embed(x).tokens;
      for (const blk of this.blocks) t = blk.forward(t);
      return this.norm.forward(t);
    });
  }

  /**
   * Pool, fc_norm, pre-logits, head dropout and (unless `preLogits`) the head. A `distilled`
   * model averages its two heads (on the class and distillation tokens) as timm does in eval and
   * in ordinary training; `forwardDistilled` gives both.
   */
  forwardHead(tokens: tf.Tensor, options: { preLogits?: boolean } = {}): tf.Tensor {
    assertRank('forwardHead tokens', tokens.shape, 3);
    if (this.headDistModule) {
      return tf.tidy(() => {
        const [cls, dist] = this.distilledTokens(tokens);
        if (options.preLogits) return tf.div(tf.add(cls, dist), 2);
        return tf.div(tf.add(this.headModule.forward(cls), this.headDistModule!.forward(dist)), 2);
      });
    }
    return tf.tidy(() => {
      let y = this.fcNorm.forward(this.pool(tokens));
      if (this.preLogits) y = this.preLogits.forward(y);
      y = this.headDrop.forward(y);
      return options.preLogits ? y : this.headModule.forward(y);
    });
  }

  /**
   * A `distilled` model's two outputs, `[head(class token), head_dist(distillation token)]`: what
   * timm's `forward` returns in training with `set_distilled_training(True)`, for a distillation
   * loss against a teacher.
   */
  forwardDistilled(x: tf.Tensor): [tf.Tensor, tf.Tensor] {
    const head = this.headDistModule;
    if (!head) throw new TfjsVitError('NOT_DISTILLED', 'forwardDistilled: this model has no distillation token (distilled: false)');
    return tf.tidy(() => {
      const [cls, dist] = this.distilledTokens(this.forwardFeatures(x));
      return [this.headModule.forward(cls), head.forward(dist)];
    });
  }

  /**
   * The logits and each block's attention weights `[B, heads, N, N]` (softmax rows), for
   * attention maps. `blocks` picks which blocks' weights to return (default all).
   */
  forwardWithAttention(x: tf.Tensor, options: { blocks?: readonly number[] } = {}): ForwardWithAttention {
    const want = new Set(this.blockIndices(options.blocks ?? [...Array(this.blocks.length).keys()]));
    return tf.tidy(() => {
      let t = this.embed(x).tokens;
      const attentions: tf.Tensor[] = [];
      let i = 0;
      for (const blk of this.blocks) {
        if (want.has(i)) {
          if (!blk.forwardWithAttention) throw new TfjsVitError('NO_ATTENTION', `blocks.${i} has no forwardWithAttention`);
          const r = blk.forwardWithAttention(t);
          t = r.output;
          attentions.push(r.attention);
        } else t = blk.forward(t);
        i++;
      }
      return { logits: this.forwardHead(this.norm.forward(t)), attentions };
    });
  }

  /**
   * Outputs of the last `n` blocks, or of the blocks at `indices` (negative counts from the end),
   * without the prefix tokens: `[B, h·w, C]`, or the NHWC grid `[B, h, w, C]` with `reshape`.
   */
  getIntermediateLayers(x: tf.Tensor, n: number | readonly number[] = 1, options: IntermediateOptions = {}): tf.Tensor[] {
    const depth = this.blocks.length;
    const take = typeof n === 'number' ? [...Array(n).keys()].map((i) => depth - n + i) : n;
    const want = new Set(this.blockIndices(take));
    const last = Math.max(...want);
    if (options.includePrefixTokens && options.reshape) throw new ArgumentError('getIntermediateLayers: includePrefixTokens and reshape exclude each other');
    return tf.tidy(() => {
      const { tokens, grid } = this.embed(x);
      let t = tokens;
      const outs: tf.Tensor[] = [];
      for (let i = 0; i <= last; i++) {
        t = this.blocks.at(i).forward(t);
        if (!want.has(i)) continue;
        const y = options.norm ? this.norm.forward(t) : t;
        if (options.includePrefixTokens) {
          outs.push(y);
          continue;
        }
        const [b, len, c] = y.shape;
        const patches = tf.slice(y, [0, this.numPrefixTokens, 0], [b, len - this.numPrefixTokens, c]);
        outs.push(options.reshape ? tf.reshape(patches, [b, grid[0], grid[1], c]) : patches);
      }
      return outs;
    });
  }

  /** Replaces the head (and optionally the pooling), as timm's `reset_classifier`. */
  resetClassifier(numClasses: number, globalPool?: GlobalPool): this {
    if (!(Number.isInteger(numClasses) && numClasses >= 0)) throw new ArgumentError(`resetClassifier: numClasses must be a non-negative integer, got ${numClasses}`);
    const cfg = resolveViTConfig({ ...this.cfg, numClasses, globalPool: globalPool ?? this.cfg.globalPool, fcNorm: this.cfg.useFcNorm });
    this.cfg = { ...this.cfg, numClasses: cfg.numClasses, globalPool: cfg.globalPool };
    // timm builds a fresh nn.Linear here: PyTorch's default init, not the trunc-normal one
    this.headModule = this.registerModule('head', numClasses > 0 ? new Linear(this.numFeatures, numClasses, { init: 'torch' }) : new Identity());
    if (this.headDistModule) this.headDistModule = this.registerModule('head_dist', numClasses > 0 ? new Linear(this.embedDim, numClasses, { init: 'torch' }) : new Identity());
    return this;
  }

  /** Changes the input size, resampling pos_embed in place (bicubic, antialiased, as timm). */
  setInputSize(imgSize: ImgSize): this {
    const size = toPair(imgSize);
    if (!this.patchEmbed.setInputSize) throw new TfjsVitError('NOT_RESIZABLE', 'setInputSize: this patch_embed has no setInputSize');
    const oldGrid = [...this.patchEmbed.gridSize] as [number, number];
    this.patchEmbed.setInputSize(size);
    this.cfg.imgSize = size;
    if (this.posEmbedParam) {
      const { value: old, trainable } = this.posEmbedParam;
      const next = tf.tidy(() => this.resampledPosEmbed(old, this.patchEmbed.gridSize, oldGrid));
      this.unregister('pos_embed');
      this.setPosEmbed(next);
      this.posEmbedParam!.trainable = trainable; // a frozen pos_embed stays frozen
    }
    return this;
  }

  /** Freezes the parameters `matcher` selects (see `ParamMatcher`). Returns this. */
  freeze(matcher: ParamMatcher = '*'): this {
    return this.setTrainableWhere(matcher, false);
  }

  /** Unfreezes the parameters `matcher` selects. Returns this. */
  unfreeze(matcher: ParamMatcher = '*'): this {
    return this.setTrainableWhere(matcher, true);
  }

  /** Keys AdamW should not decay: pos_embed, cls_token, reg_token and every 1-D parameter. */
  noWeightDecay(): string[] {
    const special = new Set(['pos_embed', 'cls_token', 'reg_token', 'dist_token']);
    return this.namedParameters().filter(([k, p]) => special.has(k) || p.shape.length <= 1).map(([k]) => k);
  }

  private setTrainableWhere(matcher: ParamMatcher, flag: boolean): this {
    const match = compileMatcher(matcher);
    for (const [key, p] of this.namedParameters()) if (match(key)) p.trainable = flag;
    return this;
  }

  /** Pooled `[B, C]` features: the attention pool (`'map'`) or `globalPool` over the tokens. */
  private pool(tokens: tf.Tensor): tf.Tensor {
    const skip = this.cfg.poolIncludePrefix ? 0 : this.numPrefixTokens;
    if (!this.attnPool) return poolTokens(tokens, this.cfg.globalPool, skip);
    const [b, n, c] = tokens.shape;
    return this.attnPool.forward(skip ? tf.slice(tokens, [0, skip, 0], [b, n - skip, c]) : tokens);
  }

  /** The class and distillation tokens `[B, C]` of `[B, N, C]` tokens. */
  private distilledTokens(tokens: tf.Tensor): [tf.Tensor, tf.Tensor] {
    const [b, , c] = tokens.shape;
    return [tf.reshape(tf.slice(tokens, [0, 0, 0], [b, 1, c]), [b, c]), tf.reshape(tf.slice(tokens, [0, 1, 0], [b, 1, c]), [b, c])];
  }

  private setPosEmbed(init: tf.Tensor): void {
    this.posEmbedParam = this.registerParameter('pos_embed', init);
  }

  private posEmbedLength(grid: readonly [number, number]): number {
    return grid[0] * grid[1] + (this.cfg.noEmbedClass ? 0 : this.numPrefixTokens);
  }

  private resampledPosEmbed(pos: tf.Tensor, grid: readonly [number, number], oldGrid: readonly [number, number]): tf.Tensor {
    return resamplePositions(pos, grid, oldGrid, this.cfg.noEmbedClass ? 0 : this.numPrefixTokens);
  }

  private blockIndices(indices: readonly number[]): number[] {
    const depth = this.blocks.length;
    return indices.map((i) => {
      const j = i < 0 ? depth + i : i;
      if (!(Number.isInteger(j) && j >= 0 && j < depth)) throw new ArgumentError(`block index ${i} out of range for depth ${depth}`);
      return j;
    });
  }

  /** Input → tokens after patch embed, prefix tokens, position embedding, pos_drop and norm_pre. */
  private embed(input: tf.Tensor): { tokens: tf.Tensor; grid: [number, number] } {
    const x = toNHWCInput(input, this.cfg);
    const gridT = this.patchEmbed.forward(x);
    const [b, h, w, c] = gridT.shape;
    let t: tf.Tensor = tf.reshape(gridT, [b, h * w, c]);
    let pos: tf.Tensor | null = this.posEmbedParam?.value ?? null;
    if (pos && (h !== this.patchEmbed.gridSize[0] || w !== this.patchEmbed.gridSize[1])) {
      pos = this.resampledPosEmbed(pos, [h, w], this.patchEmbed.gridSize);
    }
    const prefix: tf.Tensor[] = [];
    if (this.clsToken) prefix.push(tf.broadcastTo(this.clsToken.value, [b, 1, c]));
    if (this.distToken) prefix.push(tf.broadcastTo(this.distToken.value, [b, 1, c]));
    if (this.regToken) prefix.push(tf.broadcastTo(this.regToken.value, [b, this.cfg.regTokens, c]));
    if (this.cfg.noEmbedClass) {
      if (pos) t = tf.add(t, pos);
      if (prefix.length) t = tf.concat([...prefix, t], 1);
    } else {
      if (prefix.length) t = tf.concat([...prefix, t], 1);
      if (pos) t = tf.add(t, pos);
    }
    return { tokens: this.normPre.forward(this.posDrop.forward(t)), grid: [h, w] };
  }
}

/**
 * Builds a VisionTransformer from timm's constructor arguments, camelCased, plus optional parts.
 *
 * @example
 * ```ts
 * const vit = createViT({ imgSize: [32, 48], patchSize: 8, embedDim: 64, depth: 2, numHeads: 4,
 *   mlpRatio: 4, numClasses: 10, qkvBias: true, classToken: true, globalPool: 'token' });
 * [...vit.stateDict().keys()].slice(0, 3); // ['cls_token', 'pos_embed', 'patch_embed.proj.weight']
 * ```
 */
export function createViT(options: VisionTransformerOptions = {}): VisionTransformer {
  return new VisionTransformer(options);
}
