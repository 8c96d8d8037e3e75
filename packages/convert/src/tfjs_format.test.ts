import { mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { GELU, LayerNorm, QuickGELU } from '@tfjs-vit/layers';
import { createModel, createViT, type VisionTransformer } from '@tfjs-vit/models';
import { describeBackends, maxAbsDiff, tensorGrowth } from '@tfjs-vit/testing';
import { expect, it } from 'vitest';
import { fromTfjsArtifacts, loadModel, loadModelWithMeta } from './load_model';
import { decodeTfjsGroup, DEFAULT_SHARD_BYTES, TfjsFormatError, toTfjsArtifacts } from './tfjs_format';
import { saveTfjsModel } from './tfjs_format_save';

const small = () =>
  createViT({ imgSize: 32, patchSize: 8, embedDim: 32, depth: 2, numHeads: 4, numClasses: 10, globalPool: 'avg', initValues: 1e-2 }).eval();
/** Weights of ViT-B-like spread (init is near zero), so float16 rounding shows in the logits. */
function perturb(model: VisionTransformer): VisionTransformer {
  const dict = model.stateDict();
  const next = new Map([...dict].map(([k, t], i) => [k, tf.add(t, tf.randomNormal(t.shape, 0, 0.3, 'float32', i + 1))] as const));
  model.loadStateDict(next);
  tf.dispose([...dict.values(), ...next.values()]);
  return model;
}
const input = () => tf.randomUniform([2, 32, 32, 3], -1, 1, 'float32', 7);
/** Bytes across a model's shards. */
const bytes = (a: { shards: Uint8Array[] }) => a.shards.reduce((n, s) => n + s.length, 0);

function logits(model: VisionTransformer): Float32Array {
  const x = input();
  const y = model.forward(x);
  const out = y.dataSync() as Float32Array;
  tf.dispose([x, y]);
  return Float32Array.from(out);
}

describeBackends('tfjs web format', () => {
  it('round-trips float32 weights exactly: same state dict, identical logits', () => {
    const model = small();
    const artifacts = toTfjsArtifacts(model);
    const w = artifacts.modelJson.weightsManifest[0].weights;
    expect(w.map((s) => s.name)).toEqual([...model.namedParameters('', { includeBuffers: true }).map(([k]) => k)]);
    expect(w.find((s) => s.name === 'blocks.0.attn.qkv.weight')!.shape).toEqual([96, 32]); // timm layout [out, in]
    const copy = fromTfjsArtifacts(artifacts);
    expect(maxAbsDiff(logits(copy), logits(model))).toBe(0);
    expect(copy.config).toEqual(model.config);
    copy.dispose();
    model.dispose();
  });

  it('float16 quantisation is stored as tfjs does, half the bytes, logits within 1e-2', () => {
    const model = perturb(small());
    const f32 = toTfjsArtifacts(model);
    const f16 = toTfjsArtifacts(model, { dtype: 'float16' });
    expect(bytes(f16) * 2).toBe(bytes(f32));
    for (const spec of f16.modelJson.weightsManifest[0].weights) {
      expect(spec.dtype).toBe('float32');
      expect(spec.quantization).toEqual({ dtype: 'float16', original_dtype: 'float32' });
    }
    const copy = fromTfjsArtifacts(f16);
    const a = logits(model);
    const d = maxAbsDiff(logits(copy), a);
    const scale = Math.max(...a.map(Math.abs));
    console.log(`float16 tfjs round trip: max |Δlogit| ${d.toExponential(2)} (max |logit| ${scale.toFixed(3)})`);
    expect(d).toBeGreaterThan(0); // really quantised
    expect(d).toBeLessThanOrEqual(1e-2);
    copy.dispose();
    model.dispose();
  });

  it('uint8 quantisation is stored as tfjs does, a quarter of the bytes, each weight within half a step', () => {
    const model = perturb(small());
    const f32 = toTfjsArtifacts(model);
    const u8 = toTfjsArtifacts(model, { dtype: 'uint8' });
    expect(bytes(u8) * 4).toBe(bytes(f32));
    const want = decodeTfjsGroup(f32.modelJson.weightsManifest[0], f32.shards);
    const got = decodeTfjsGroup(u8.modelJson.weightsManifest[0], u8.shards); // tfjs' own dequantisation
    for (const spec of u8.modelJson.weightsManifest[0].weights) {
      const q = spec.quantization!;
      expect(q.dtype).toBe('uint8');
      expect(q.original_dtype).toBe('float32');
      expect(Math.abs(q.min! / q.scale! - Math.round(q.min! / q.scale!))).toBeLessThan(1e-6); // 0 is a grid point
      const w = want.get(spec.name)!.dataSync() as Float32Array;
      const g = got.get(spec.name)!.dataSync() as Float32Array;
      expect(maxAbsDiff(g, w), spec.name).toBeLessThanOrEqual(q.scale! / 2 + 1e-6);
      for (let i = 0; i < w.length; i++) if (w[i] === 0) expect(Math.abs(g[i] as number)).toBeLessThan(1e-6);
    }
    tf.dispose([...want.values(), ...got.values()]);
    const copy = fromTfjsArtifacts(u8);
    const a = logits(model);
    const d = maxAbsDiff(logits(copy), a);
    const scale = Math.max(...a.map(Math.abs));
    console.log(`uint8 tfjs round trip: max |Δlogit| ${d.toExponential(2)} (max |logit| ${scale.toFixed(3)})`);
    expect(d).toBeGreaterThan(0);
    expect(d).toBeLessThanOrEqual(0.05 * scale); // 256 levels per tensor: a few % of the largest logit
    copy.dispose();
    model.dispose();
  });

  it('rejects a storage dtype it does not write, and a non-finite weight for uint8', () => {
    const model = small();
    expect(() => toTfjsArtifacts(model, { dtype: 'int8' as never })).toThrow(/dtype must be one of float32, float16, uint8, got 'int8'/);
    const w = model.namedParameters('', { includeBuffers: true })[0][1];
    w.variable.assign(tf.fill(w.variable.shape, Number.NaN));
    expect(() => toTfjsArtifacts(model, { dtype: 'uint8' })).toThrow(/non-finite/);
    model.dispose();
  });

  it('keeps a Hugging Face LayerNorm eps (1e-12) and tanh GELU across the round trip', () => {
    const model = createViT({ imgSize: 32, patchSize: 8, embedDim: 32, depth: 1, numHeads: 4, numClasses: 3,
      normLayer: (d) => new LayerNorm(d, { eps: 1e-12 }), actLayer: () => new GELU({ approximate: 'tanh' }) }).eval();
    const artifacts = toTfjsArtifacts(model);
    expect(artifacts.modelJson.layerNormEps).toBe(1e-12);
    expect(artifacts.modelJson.geluApproximate).toBe('tanh');
    const copy = fromTfjsArtifacts(artifacts);
    expect((copy.blocks.at(0) as unknown as { norm1: LayerNorm }).norm1.eps).toBe(1e-12);
    expect(maxAbsDiff(logits(copy), logits(model))).toBe(0);
    expect(toTfjsArtifacts(small()).modelJson.layerNormEps).toBeUndefined();
    copy.dispose();
    model.dispose();
  });

  it('round-trips the timm family options: DeiT distilled, SigLIP map pool with QuickGELU, scale norms, eps 1e-5', () => {
    const arch = { imgSize: 32, patchSize: 8, embedDim: 32, depth: 1, numHeads: 4, numClasses: 3 } as const;
    for (const model of [
      createViT({ ...arch, distilled: true }),
      createViT({ ...arch, classToken: false, globalPool: 'map', actLayer: 'quick_gelu', normEps: 1e-5, scaleAttnNorm: true, scaleMlpNorm: true, projBias: false }),
      createViT({ ...arch, actLayer: () => new QuickGELU(), regTokens: 2, globalPool: 'avg', poolIncludePrefix: true }),
    ]) {
      perturb(model.eval());
      const copy = fromTfjsArtifacts(toTfjsArtifacts(model));
      expect(maxAbsDiff(logits(copy), logits(model))).toBe(0);
      expect(copy.config).toEqual({ ...model.config, actLayer: model.config.actLayer === 'custom' ? 'quick_gelu' : model.config.actLayer });
      copy.dispose();
      model.dispose();
    }
  });

  it('cuts shards at shardBytes, weights spanning shards', () => {
    const model = small();
    const { modelJson, shards } = toTfjsArtifacts(model, { shardBytes: 1000 });
    const total = shards.reduce((n, s) => n + s.length, 0);
    expect(shards.length).toBe(Math.ceil(total / 1000));
    expect(shards.slice(0, -1).every((s) => s.length === 1000)).toBe(true);
    expect(modelJson.weightsManifest[0].paths[0]).toBe(`group1-shard1of${shards.length}.bin`);
    const copy = fromTfjsArtifacts({ modelJson, shards });
    expect(maxAbsDiff(logits(copy), logits(model))).toBe(0);
    copy.dispose();
    model.dispose();
  });

  it('loading leaks no tensors beyond the model parameters', () => {
    const model = small();
    const artifacts = toTfjsArtifacts(model);
    const before = tf.memory().numTensors;
    const copy = fromTfjsArtifacts(artifacts);
    expect(tf.memory().numTensors - before).toBe(copy.namedParameters('', { includeBuffers: true }).length);
    copy.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(tensorGrowth(() => void toTfjsArtifacts(model))).toBe(0);
    model.dispose();
  });
});

describeBackends('tfjs web format: files, URLs, errors', () => {
  it('saveTfjsModel → loadModel from a directory, model.json path, file:// URL, custom fetch, and http', async () => {
    const model = small();
    const dir = mkdtempSync(join(tmpdir(), 'tfjs-vit-web-'));
    const saved = await saveTfjsModel(model, dir, { shardBytes: 4096 });
    expect(readdirSync(dir).sort()).toEqual([...saved.modelJson.weightsManifest[0].paths, 'model.json'].sort());
    const want = logits(model);
    const files = async (url: string) => {
      const name = url.slice(url.lastIndexOf('/') + 1);
      const buf = await readFile(join(dir, name));
      return { ok: true, status: 200, arrayBuffer: async () => buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength), text: async () => buf.toString() };
    };
    const server = createServer(async (req, res) => {
      try {
        res.end(await readFile(join(dir, req.url!.replace(/^\/web\//, ''))));
      } catch {
        res.statusCode = 404;
        res.end();
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    try {
      const sources = [dir, join(dir, 'model.json'), pathToFileURL(dir).href, `http://127.0.0.1:${port}/web/model.json`, `http://127.0.0.1:${port}/web/`];
      for (const src of sources) {
        const m = await loadModel(src);
        expect(maxAbsDiff(logits(m), want), src).toBe(0);
        m.dispose();
      }
      const progress: number[] = [];
      const m = await loadModel('models/vit', { fetch: files, onProgress: (done) => progress.push(done) });
      expect(progress).toEqual([...Array(saved.shardPaths.length + 1).keys()].map((i) => i + 1));
      expect(maxAbsDiff(logits(m), want)).toBe(0);
      m.dispose();
      await expect(loadModel(`http://127.0.0.1:${port}/nothing/`)).rejects.toThrow(/HTTP 404/);
      // tfjs-core's own weights loader reads our manifest and shards: the format is tfjs-converter's
      const tfjsLoad = tf.io.weightsLoaderFactory((urls) => Promise.all(urls.map(async (u) => (await files(u)).arrayBuffer())));
      const named = await tfjsLoad(saved.modelJson.weightsManifest, 'web/');
      const dict = model.stateDict();
      expect(Object.keys(named).sort()).toEqual([...dict.keys()].sort());
      for (const [k, t] of dict) expect(maxAbsDiff(named[k], t), k).toBe(0);
      tf.dispose([...dict.values(), ...Object.values(named)]);
    } finally {
      server.close();
      model.dispose();
    }
  });

  it('bad model.json and shards give TfjsFormatError naming what was found', async () => {
    const model = small();
    const { modelJson, shards } = toTfjsArtifacts(model);
    expect(() => fromTfjsArtifacts({ modelJson: { ...modelJson, format: 'layers-model' }, shards })).toThrow(/expected format "tfjs-vit", got "layers-model"/);
    expect(() => fromTfjsArtifacts({ modelJson, shards: [shards[0].subarray(8)] })).toThrow(TfjsFormatError);
    expect(() => fromTfjsArtifacts({ modelJson, shards: [] })).toThrow(/expected 1 shards, got 0/);
    const wrongShape = structuredClone(modelJson);
    wrongShape.config.depth = 3;
    expect(() => fromTfjsArtifacts({ modelJson: wrongShape, shards })).toThrow(/blocks\.2/);
    const dir = mkdtempSync(join(tmpdir(), 'tfjs-vit-web-'));
    await expect(loadModel(dir)).rejects.toThrow(TfjsFormatError);
    model.dispose();
  });

  it('records meta (labels, preprocessing) in model.json, validated on write and on read', async () => {
    const model = small();
    const meta = { model: 'fashion', labels: Array.from({ length: 10 }, (_, i) => `c${i}`), dataConfig: { inputSize: [3, 32, 32], mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] } };
    const dir = mkdtempSync(join(tmpdir(), 'tfjs-vit-web-'));
    await saveTfjsModel(model, dir, { meta });
    const loaded = await loadModelWithMeta(dir);
    expect(loaded.meta).toEqual(meta);
    expect(loaded.model.numClasses).toBe(10);
    loaded.model.dispose();
    expect(() => toTfjsArtifacts(model, { meta: { labels: 'oops' as never } })).toThrow(/labels: expected an array/);
    const { modelJson, shards } = toTfjsArtifacts(model);
    expect(modelJson.meta).toBeUndefined();
    expect(() => fromTfjsArtifacts({ modelJson: { ...modelJson, meta: { numHeads: -1 } }, shards })).toThrow(/model\.json: meta\.numHeads: expected an integer/);
    model.dispose();
  });

  it('a shard with one flipped bit (same size) fails its CRC-32, in memory and from files', async () => {
    const model = small();
    const { modelJson, shards } = toTfjsArtifacts(model, { shardBytes: 8192 });
    expect(modelJson.weightsManifest[0].crc32).toHaveLength(shards.length);
    const bad = shards.map((s) => s.slice());
    bad[2][100] ^= 0x10;
    expect(() => fromTfjsArtifacts({ modelJson, shards: bad })).toThrow(/shard group1-shard3of\d+\.bin is corrupt: CRC-32 0x[0-9a-f]{8}, model\.json records 0x[0-9a-f]{8}/);
    const dir = mkdtempSync(join(tmpdir(), 'tfjs-vit-web-'));
    const saved = await saveTfjsModel(model, dir, { shardBytes: 8192 });
    writeFileSync(saved.shardPaths[2], bad[2]);
    await expect(loadModel(dir)).rejects.toThrow(/group1-shard3of\d+\.bin is corrupt/);
    const noCrc = structuredClone(modelJson);
    noCrc.weightsManifest[0].crc32 = [1, 2];
    expect(() => fromTfjsArtifacts({ modelJson: noCrc, shards })).toThrow(/weightsManifest\[0\]\.crc32 must be one unsigned 32-bit integer per path \(\d+\), got \[1,2\]/);
    model.dispose();
  });
});

describeBackends(
  'tfjs web format: a model big enough for many shards',
  () => {
    it('vit_small_patch16_224: every shard ≤ 4 MiB, the bytes reload to the same state dict', async () => {
      const model = createModel('vit_small_patch16_224');
      const dir = mkdtempSync(join(tmpdir(), 'tfjs-vit-web-'));
      const saved = await saveTfjsModel(model, dir);
      const sizes = saved.shardPaths.map((p) => statSync(p).size);
      const total = sizes.reduce((a, b) => a + b, 0);
      expect(total).toBe(model.numParameters() * 4);
      expect(sizes.length).toBe(Math.ceil(total / DEFAULT_SHARD_BYTES));
      expect(Math.max(...sizes)).toBeLessThanOrEqual(DEFAULT_SHARD_BYTES);
      const copy = await loadModel(dir);
      const a = model.stateDict();
      const b = copy.stateDict();
      for (const [k, t] of a) expect(maxAbsDiff(b.get(k)!, t), k).toBe(0);
      tf.dispose([...a.values(), ...b.values()]);
      copy.dispose();
      model.dispose();
    });
  },
  ['cpu'],
);
