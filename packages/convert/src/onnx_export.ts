// Exports a VisionTransformer to ONNX (opset 17 by default): patch-embed Conv, prefix tokens,
// position embedding, LayerNormalization blocks with MatMul attention and Erf GELU, pooling, head.
import { Identity, LayerNorm, Linear, PatchEmbed, type TensorModule } from '@tfjs-vit/layers';
import { VisionTransformer } from '@tfjs-vit/models';
import { ArgumentError, importNode, TfjsVitError } from '@tfjs-vit/ops';
import { openAtomicFile } from './atomic_file';
import { OnnxGraphBuilder } from './onnx_graph';
import { attentionPool, block, checkAttentionPool, checkBlock, checkNorm, internalValues, layerNorm, linear, stateValues, type Unsupported } from './onnx_vit_parts';
import { encodeLazyOnnxModel, onnxPieces, type LazyOnnxModel } from './onnx_write';

/** Options of {@link exportOnnx}. */
export interface ExportOnnxOptions {
  /** ONNX opset of the default domain, 17–21 (default 17: the first with LayerNormalization). */
  opset?: number;
  /** A fixed batch size; by default the batch dimension is symbolic (`'batch'`). */
  batchSize?: number;
  /** Name of the image input (default 'pixel_values', as transformers.js expects). */
  inputName?: string;
  /** Name of the output (default 'logits'). */
  outputName?: string;
  /** Input layout (default: the model's `dataFormat`, 'NHWC' unless built with 'NCHW'). */
  dataFormat?: 'NHWC' | 'NCHW';
}

/**
 * The model has parts or options the ONNX exporter does not write; `unsupported` names each
 * (code `ONNX_UNSUPPORTED`).
 *
 * @example
 * ```ts
 * try { exportOnnx(hybrid); } catch (e) { if (e instanceof OnnxExportError) console.log(e.unsupported); }
 * ```
 */
export class OnnxExportError extends TfjsVitError {
  readonly unsupported: string[];
  constructor(unsupported: string[]) {
    super('ONNX_UNSUPPORTED', `exportOnnx: unsupported ${unsupported.length === 1 ? 'option' : 'options'}: ${unsupported.join('; ')}`);
    this.unsupported = unsupported;
  }
}

function checkModel(model: VisionTransformer): void {
  const out: Unsupported = [];
  const c = model.config;
  if (c.dynamicImgSize) out.push('dynamicImgSize: true (export a fixed size; call setInputSize first)');
  if (c.dynamicImgPad) out.push('dynamicImgPad: true');
  const pe = model.patchEmbed;
  if (!(pe instanceof PatchEmbed)) out.push(`patch_embed: ${pe?.constructor?.name} (PatchEmbed only; no hybrid backbones)`);
  else checkNorm(pe.norm, 'patch_embed.norm', out);
  checkNorm(model.normPre, 'norm_pre', out);
  let i = 0;
  for (const blk of model.blocks) checkBlock(blk, `blocks.${i++}`, out);
  checkNorm(model.norm, 'norm', out);
  checkNorm(model.fcNorm, 'fc_norm', out);
  if (model.attnPool) checkAttentionPool(model.attnPool, out);
  for (const [name, head] of [['head', model.head], ['head_dist', model.headDist ?? new Identity()]] as const) {
    if (!(head instanceof Linear || head instanceof Identity)) out.push(`${name}: ${head?.constructor?.name}`);
  }
  if (out.length) throw new OnnxExportError(out);
}

function irVersionFor(opset: number): number {
  return opset <= 18 ? 8 : opset <= 20 ? 9 : 10;
}

/** Mean/max over the token axis: `axes` is an attribute up to opset 17 and an input from 18. */
function reduce(g: OnnxGraphBuilder, op: 'ReduceMean' | 'ReduceMax', x: string, opset: number, path: string): string {
  return opset >= 18 ? g.op(op, [x, g.int64s([1])], { keepdims: 0 }, path) : g.op(op, [x], { axes: [1], keepdims: 0 }, path);
}

/** The graph of {@link exportOnnx}, its weights still unread. */
function buildOnnx(model: VisionTransformer, options: ExportOnnxOptions): LazyOnnxModel {
  if (!(model instanceof VisionTransformer)) throw new OnnxExportError([`model: ${(model as object)?.constructor?.name} (VisionTransformer only)`]);
  const opset = options.opset ?? 17;
  if (!(Number.isInteger(opset) && opset >= 17 && opset <= 21)) throw new ArgumentError(`exportOnnx: opset must be an integer in 17..21, got ${opset}`);
  const batch = options.batchSize ?? 'batch';
  if (typeof batch === 'number' && !(Number.isInteger(batch) && batch > 0)) throw new ArgumentError(`exportOnnx: batchSize must be a positive integer, got ${batch}`);
  checkModel(model);
  const c = model.config;
  const dataFormat = options.dataFormat ?? c.dataFormat;
  if (dataFormat !== 'NHWC' && dataFormat !== 'NCHW') throw new ArgumentError(`exportOnnx: dataFormat must be 'NHWC' or 'NCHW', got '${String(dataFormat)}'`);
  const [height, width] = c.imgSize;
  const dim = c.embedDim;
  const g = new OnnxGraphBuilder();
  const inputName = options.inputName ?? 'pixel_values';
  let x = g.input(inputName, dataFormat === 'NHWC' ? [batch, height, width, c.inChans] : [batch, c.inChans, height, width]);
  if (dataFormat === 'NHWC') x = g.op('Transpose', [x], { perm: [0, 3, 1, 2] }, 'to_nchw');

  // Patch embedding: a PxP stride-P Conv, then [B, D, gh, gw] → [B, gh·gw, D]
  const pe = model.patchEmbed as PatchEmbed;
  const w = stateValues(pe.proj.weight);
  const convIn = [x, g.floats('patch_embed.proj.weight', w.shape, w.values)];
  if (pe.proj.bias) convIn.push(g.floats('patch_embed.proj.bias', [dim], internalValues(pe.proj.bias)));
  x = g.op('Conv', convIn, { kernel_shape: [...pe.patchSize], strides: [...pe.patchSize] }, 'patch_embed.proj');
  x = g.op('Transpose', [g.op('Reshape', [x, g.int64s([0, dim, -1])], {}, 'patch_embed.flatten')], { perm: [0, 2, 1] }, 'patch_embed.tokens');
  x = layerNorm(g, x, pe.norm, 'patch_embed.norm');

  // Prefix tokens broadcast to the batch; position embedding before or after them (noEmbedClass)
  const prefix: string[] = [];
  if (model.clsToken || model.regToken) {
    const b = g.op('Shape', [x], { start: 0, end: 1 }, 'batch_size');
    const expand = (p: NonNullable<VisionTransformer['clsToken']>, name: string) => {
      const shape = g.op('Concat', [b, g.int64s([p.shape[1], dim])], { axis: 0 }, `${name}.shape`);
      return g.op('Expand', [g.floats(name, p.shape, internalValues(p)), shape], {}, `${name}.expand`);
    };
    if (model.clsToken) prefix.push(expand(model.clsToken, 'cls_token'));
    if (model.distToken) prefix.push(expand(model.distToken, 'dist_token'));
    if (model.regToken) prefix.push(expand(model.regToken, 'reg_token'));
  }
  const pos = model.posEmbed;
  const addPos = (t: string) => (pos ? g.op('Add', [t, g.floats('pos_embed', pos.shape, internalValues(pos))], {}, 'pos_embed.add') : t);
  const withPrefix = (t: string) => (prefix.length ? g.op('Concat', [...prefix, t], { axis: 1 }, 'prefix_tokens') : t);
  x = c.noEmbedClass ? withPrefix(addPos(x)) : addPos(withPrefix(x));
  x = layerNorm(g, x, model.normPre, 'norm_pre');

  let i = 0;
  for (const blk of model.blocks) x = block(g, x, blk, `blocks.${i++}`);
  x = layerNorm(g, x, model.norm, 'norm');

  // Pooling (timm's _pool), fc_norm, pre-logits, head
  const np = c.poolIncludePrefix ? 0 : model.numPrefixTokens;
  const patches = () => g.op('Slice', [x, g.int64s([np]), g.int64s([2 ** 62]), g.int64s([1])], {}, 'patch_tokens');
  let y: string;
  let outWidth: number;
  if (model.headDist) {
    // DeiT distilled: the mean of head(class token) and head_dist(distillation token)
    const token = (i: number) => g.op('Gather', [x, g.int64s([i], [])], { axis: 1 }, `token${i}`);
    const apply = (h: TensorModule, t: string, name: string) => (h instanceof Linear ? linear(g, t, h, name) : t);
    const sum = g.op('Add', [apply(model.head, token(0), 'head'), apply(model.headDist, token(1), 'head_dist')], {}, 'heads');
    y = g.op('Mul', [sum, g.scalar('heads.half', 0.5)], {}, 'heads');
    outWidth = model.head instanceof Linear ? c.numClasses : model.embedDim;
  } else {
    if (model.attnPool) y = attentionPool(g, np ? patches() : x, model.attnPool, 'attn_pool');
    else if (c.globalPool === 'token') y = g.op('Gather', [x, g.int64s([0], [])], { axis: 1 }, 'pool');
    else if (c.globalPool === 'avg') y = reduce(g, 'ReduceMean', patches(), opset, 'pool');
    else if (c.globalPool === 'max') y = reduce(g, 'ReduceMax', patches(), opset, 'pool');
    else if (c.globalPool === 'avgmax') {
      const p = patches();
      const sum = g.op('Add', [reduce(g, 'ReduceMax', p, opset, 'pool_max'), reduce(g, 'ReduceMean', p, opset, 'pool_mean')], {}, 'pool');
      y = g.op('Mul', [sum, g.scalar('pool.half', 0.5)], {}, 'pool');
    } else y = x;
    y = layerNorm(g, y, model.fcNorm, 'fc_norm');
    if (model.preLogits) y = g.op('Tanh', [linear(g, y, model.preLogits.fc, 'pre_logits.fc')], {}, 'pre_logits.act');
    if (model.head instanceof Linear) y = linear(g, y, model.head, 'head');
    outWidth = model.head instanceof Linear ? c.numClasses : model.numFeatures;
  }
  const tokens = !model.headDist && c.globalPool === '' ? ['tokens'] : [];
  g.output(y, options.outputName ?? 'logits', [batch, ...tokens, outWidth]);

  return {
    irVersion: irVersionFor(opset),
    producerName: '@tfjs-vit/convert',
    producerVersion: '0',
    opsetImport: [{ domain: '', version: opset }],
    graph: g.graph('vision_transformer'),
    metadataProps: [{ key: 'tfjs_vit_config', value: JSON.stringify(c) }],
  };
}

/**
 * The model as an ONNX ModelProto (bytes), in eval-mode semantics (no dropout): what
 * onnxruntime (Node, web — the runtime behind transformers.js) runs. The input is
 * `[batch, H, W, C]` (NHWC) or `[batch, C, H, W]` (NCHW) float32; the output `[batch, numClasses]`.
 * Supported: timm's ViT options with our default parts — class/register/distillation tokens
 * (DeiT's two heads averaged), learned or no position embedding (`noEmbedClass` too), qkv and proj
 * biases, qk-norm, attention and MLP scale norms, LayerScale, pre-norm, token / avg / max / avgmax /
 * attention-pool (`'map'`, SigLIP) / no pooling, `poolIncludePrefix`, fc_norm, pre-logits Tanh,
 * exact or tanh GELU and QuickGELU. Anything else (a hybrid embedding, SwiGLU, dynamic image size)
 * throws `OnnxExportError` naming it.
 *
 * @example
 * ```ts
 * import * as ort from 'onnxruntime-node';
 * const bytes = exportOnnx(createModel('vit_small_patch16_224'), { dataFormat: 'NCHW' });
 * const session = await ort.InferenceSession.create(bytes);
 * const { logits } = await session.run({ pixel_values: new ort.Tensor('float32', pixels, [1, 3, 224, 224]) });
 * ```
 */
export function exportOnnx(model: VisionTransformer, options: ExportOnnxOptions = {}): Uint8Array {
  return encodeLazyOnnxModel(buildOnnx(model, options));
}

/** Options of {@link saveOnnx}. */
export interface SaveOnnxOptions extends ExportOnnxOptions {
  /** Called as the file grows, with the bytes written so far and the file's final size. */
  onProgress?: (written: number, total: number) => void;
}

/**
 * Writes {@link exportOnnx}'s model to `path` (Node only) without building it in memory: each
 * weight is read from the model, written and let go, so the export needs about one tensor beyond
 * the model itself. The file appears only when complete (a temporary file, then a rename), so an
 * interrupted export never leaves a partial `.onnx` under `path`. Returns the bytes written.
 *
 * @example
 * ```ts
 * const bytes = await saveOnnx(createModel('vit_base_patch16_224'), 'vit_b16.onnx', { dataFormat: 'NCHW' });
 * ```
 */
export async function saveOnnx(model: VisionTransformer, path: string, options: SaveOnnxOptions = {}): Promise<number> {
  const { byteLength, pieces } = onnxPieces(buildOnnx(model, options));
  const fs = await importNode<typeof import('node:fs')>('node:fs');
  const file = openAtomicFile(fs, path);
  try {
    let written = 0;
    for (const piece of pieces()) {
      file.write(piece);
      written += piece.byteLength;
      options.onProgress?.(written, byteLength);
    }
    file.commit();
    return written;
  } catch (e) {
    file.abort();
    throw e;
  }
}
