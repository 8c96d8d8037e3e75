import * as tf from '@tensorflow/tfjs-core';
import { GELU, LayerNorm, Linear, Mlp, Tanh } from '@tfjs-vit/layers';

class RMSNormLike extends LayerNorm {}
import { createViT, type VisionTransformer, type VisionTransformerOptions } from '@tfjs-vit/models';
import { describeBackends, maxAbsDiff, tensorGrowth } from '@tfjs-vit/testing';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { exportOnnx, OnnxExportError, saveOnnx, type ExportOnnxOptions } from './onnx_export';
import { decodeOnnxModel } from './onnx_proto';

type Ort = typeof import('onnxruntime-node');
const ort: Ort = await import('onnxruntime-node');

const base: VisionTransformerOptions = { imgSize: [32, 48], patchSize: 8, embedDim: 48, depth: 2, numHeads: 4, numClasses: 7 };

/** Our logits and onnxruntime's on the same random input; returns max |Δ| and the logits' scale. */
async function compare(model: VisionTransformer, batch: number, options: ExportOnnxOptions = {}): Promise<{ diff: number; scale: number }> {
  const c = model.config;
  const nchw = (options.dataFormat ?? c.dataFormat) === 'NCHW';
  const [h, w] = c.imgSize;
  const shape = nchw ? [batch, c.inChans, h, w] : [batch, h, w, c.inChans];
  const x = tf.randomUniform(shape, -2, 2, 'float32', 11);
  const ours = tf.tidy(() => model.forward(c.dataFormat === 'NCHW' || !nchw ? x : tf.transpose(x, [0, 2, 3, 1])));
  const want = Float32Array.from(ours.dataSync() as Float32Array);
  const session = await ort.InferenceSession.create(exportOnnx(model, options));
  const feeds = { [options.inputName ?? 'pixel_values']: new ort.Tensor('float32', Float32Array.from(x.dataSync() as Float32Array), shape) };
  const out = (await session.run(feeds))[options.outputName ?? 'logits'];
  expect(out.dims).toEqual(ours.shape);
  const diff = maxAbsDiff(out.data as Float32Array, want);
  tf.dispose([x, ours]);
  await session.release();
  return { diff, scale: Math.max(...want.map(Math.abs)) };
}

/** Random non-trivial LayerNorm/LayerScale weights, so affine parameters matter in the comparison. */
function perturb(model: VisionTransformer): VisionTransformer {
  const dict = model.stateDict();
  const next = new Map<string, tf.Tensor>();
  let seed = 1;
  for (const [k, t] of dict) next.set(k, tf.add(t, tf.randomNormal(t.shape, 0, 0.3, 'float32', seed++)));
  model.loadStateDict(next);
  tf.dispose([...dict.values(), ...next.values()]);
  return model.eval();
}

describeBackends('exportOnnx → onnxruntime-node', () => {
  it('timm default ViT (class token, qkv bias, token pool), NHWC, dynamic batch: logits ≤ 1e-4', async () => {
    const model = perturb(createViT({ ...base, qkvBias: true }));
    for (const batch of [1, 3]) {
      const { diff, scale } = await compare(model, batch);
      console.log(`onnx default ViT batch ${batch}: max |Δlogit| ${diff.toExponential(2)} (max |logit| ${scale.toFixed(2)})`);
      expect(diff).toBeLessThanOrEqual(1e-4);
    }
    model.dispose();
  });

  it('avg pool, no class token, fc_norm, LayerScale, qk-norm, no qkv bias; NCHW input, fixed batch', async () => {
    const model = perturb(createViT({ ...base, classToken: false, globalPool: 'avg', initValues: 0.1, qkNorm: true, qkvBias: false }));
    const { diff } = await compare(model, 2, { dataFormat: 'NCHW', batchSize: 2, inputName: 'images', outputName: 'scores' });
    expect(diff).toBeLessThanOrEqual(1e-4);
    const m = decodeOnnxModel(exportOnnx(model, { batchSize: 2 }));
    expect(m.graph.input[0].type.tensorType.shape.dim).toEqual([{ dimValue: 2 }, { dimValue: 32 }, { dimValue: 48 }, { dimValue: 3 }]);
    model.dispose();
  });

  it('pre-logits Tanh, register tokens, noEmbedClass, pre-norm, avgmax, tanh GELU; opset 18', async () => {
    const model = perturb(createViT({
      ...base, representationSize: 24, regTokens: 2, noEmbedClass: true, preNorm: true, globalPool: 'avgmax',
      actLayer: () => new GELU({ approximate: 'tanh' }),
    }));
    const { diff } = await compare(model, 2, { opset: 18 });
    expect(diff).toBeLessThanOrEqual(1e-4);
    model.dispose();
  });

  it('DeiT distilled (two heads averaged); SigLIP attention pool with QuickGELU, scale norms, no proj bias', async () => {
    const deit = perturb(createViT({ ...base, distilled: true }));
    const d = await compare(deit, 2);
    console.log(`onnx distilled: max |Δlogit| ${d.diff.toExponential(2)}`);
    expect(d.diff).toBeLessThanOrEqual(1e-4);
    deit.dispose();
    const siglip = perturb(createViT({
      ...base, classToken: false, globalPool: 'map', actLayer: 'quick_gelu', scaleAttnNorm: true, scaleMlpNorm: true, projBias: false,
    }));
    const m = await compare(siglip, 3, { opset: 18 });
    console.log(`onnx map pool: max |Δlogit| ${m.diff.toExponential(2)}`);
    expect(m.diff).toBeLessThanOrEqual(1e-4);
    siglip.dispose();
    const prefix = perturb(createViT({ ...base, regTokens: 2, globalPool: 'avg', poolIncludePrefix: true }));
    expect((await compare(prefix, 2)).diff).toBeLessThanOrEqual(1e-4);
    prefix.dispose();
  });

  it('max pool and a model without a head (numClasses 0) output pooled features', async () => {
    const model = perturb(createViT({ ...base, globalPool: 'max', numClasses: 0 }));
    const { diff } = await compare(model, 2);
    expect(diff).toBeLessThanOrEqual(1e-4);
    model.dispose();
  });

  it('writes opset 17 with LayerNormalization and Erf (no Gelu op), timm-named initializers; leaks no tensors', () => {
    const model = createViT(base).eval();
    const m = decodeOnnxModel(exportOnnx(model));
    expect(m.opsetImport).toEqual([{ version: 17 }]);
    expect(m.irVersion).toBe(8);
    const ops = new Set(m.graph.node.map((n) => n.opType));
    for (const op of ['Conv', 'LayerNormalization', 'MatMul', 'Softmax', 'Erf', 'Concat', 'Expand']) expect(ops.has(op), op).toBe(true);
    expect(ops.has('Gelu')).toBe(false);
    const names = m.graph.initializer.map((t) => t.name);
    expect(names).toContain('blocks.1.attn.qkv.weight');
    expect(names).toContain('pos_embed');
    expect(m.graph.input[0].type.tensorType.shape.dim[0]).toEqual({ dimParam: 'batch' });
    expect(tensorGrowth(() => void exportOnnx(model))).toBe(0);
    model.dispose();
  });

  it('saveOnnx writes the same bytes as exportOnnx, with progress to the total; onnxruntime loads the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'onnx-save-'));
    try {
      const model = perturb(createViT({ ...base, qkvBias: true }));
      const path = join(dir, 'vit.onnx');
      const progress: [number, number][] = [];
      const bytes = await saveOnnx(model, path, { onProgress: (done, total) => progress.push([done, total]) });
      const want = exportOnnx(model);
      expect(bytes).toBe(want.byteLength);
      expect(new Uint8Array(readFileSync(path))).toEqual(want);
      expect(progress.length).toBeGreaterThan(10);
      expect(progress.at(-1)).toEqual([want.byteLength, want.byteLength]);
      expect(progress.every(([d], i) => i === 0 || d > progress[i - 1][0])).toBe(true);
      const session = await ort.InferenceSession.create(path);
      expect(session.outputNames).toEqual(['logits']);
      await session.release();
      expect(readdirSync(dir)).toEqual(['vit.onnx']);
      model.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('saveOnnx interrupted mid-write (a weight disposed under it) keeps the previous file and leaves no partial one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'onnx-save-'));
    try {
      const model = createViT(base).eval();
      const path = join(dir, 'vit.onnx');
      writeFileSync(path, 'previous export');
      const late = model.head as Linear;
      const save = saveOnnx(model, path, { onProgress: (done, total) => void (done > total / 2 && !late.weight.value.isDisposed && late.weight.value.dispose()) });
      await expect(save).rejects.toThrow(/disposed/);
      expect(readFileSync(path, 'utf8')).toBe('previous export');
      expect(readdirSync(dir)).toEqual(['vit.onnx']);
      model.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses what it cannot express with OnnxExportError naming each option', () => {
    const dyn = createViT({ ...base, dynamicImgSize: true });
    expect(() => exportOnnx(dyn)).toThrow(OnnxExportError);
    expect(() => exportOnnx(dyn)).toThrow(/dynamicImgSize/);
    dyn.dispose();
    class GluMlp extends Mlp {} // a subclass may change forward(): refused rather than guessed
    const odd = createViT({ ...base, depth: 1, mlpLayer: (d, a) => new GluMlp(d, { hiddenFeatures: a.hiddenFeatures }) });
    expect(() => exportOnnx(odd)).toThrow(/blocks\.0\.mlp: GluMlp/);
    const tanh = createViT({ ...base, depth: 1, actLayer: () => new Tanh(), qkNorm: true, normLayer: (d) => new RMSNormLike(d) });
    try {
      exportOnnx(tanh);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(OnnxExportError);
      const u = (e as OnnxExportError).unsupported;
      expect(u).toContain('blocks.0.mlp.act: Tanh (GELU or QuickGELU only)');
      expect(u.some((s) => s.startsWith('blocks.0.attn.q_norm: RMSNormLike'))).toBe(true);
      expect(u.some((s) => s.startsWith('norm: RMSNormLike'))).toBe(true);
    }
    tanh.dispose();
    odd.dispose();
  });
});
