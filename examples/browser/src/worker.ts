// The model worker: loads a ViT (the shipped web-format model, picked model.json + shards, or a
// safetensors file), classifies images with their attention rollout, learns a new linear head on
// frozen features, and exports the result as safetensors. The page talks to it with protocol.ts.
import * as tf from '@tensorflow/tfjs-core';
import { encodeModelMeta, serializeSafetensors, type FetchLike } from '@tfjs-vit/convert';
import { Classifier, createClassifier, overlayHeatmap, type DataConfigOverrides } from '@tfjs-vit/pipeline';
import { AdamW, crossEntropy, HeadOnFeatures, lossAndGradients } from '@tfjs-vit/train';
import { startBackend } from './backend';
import type { ClassifyResult, LabelledFile, ModelInfo, ModelSource, Reply, Request, TrainResult } from './protocol';
import { splitHeldOut } from './split';

/** The shards of a user's model stay in this Cache API store, so a second visit reads them from disk. */
const CACHE = 'tfjs-vit-models';

let clf: Classifier | null = null;
let modelName = '';

const post = (reply: Reply) => (self as unknown as Worker).postMessage(reply);

const bytesOf = async (file: File) => new Uint8Array(await file.arrayBuffer());

/** A fetch over files the user picked: `…/name` resolves to the picked file called `name`. */
function filesFetch(files: File[]): FetchLike {
  const byName = new Map(files.map((f) => [f.name, f]));
  return async (url) => {
    const name = decodeURIComponent(url.split('/').pop() ?? '');
    const file = byName.get(name);
    if (!file) return { ok: false, status: 404, arrayBuffer: async () => new ArrayBuffer(0), text: async () => '' };
    return { ok: true, status: 200, arrayBuffer: () => file.arrayBuffer(), text: () => file.text() };
  };
}

async function load(id: number, source: ModelSource): Promise<ModelInfo> {
  const t0 = performance.now();
  const onProgress = (loaded: number, total: number, info: { fromCache: boolean }) =>
    post({ id, type: 'progress', what: 'load', loaded, total, fromCache: info.fromCache });
  let next: Classifier;
  if (source.kind === 'url') {
    next = await createClassifier({ weights: source.url, cache: CACHE, onProgress });
    modelName = source.url.split('/').slice(-2, -1)[0] ?? 'model';
  } else if (source.kind === 'files') {
    const json = source.files.find((f) => f.name.endsWith('.json'));
    if (!json) throw new Error(`pick a model.json with its .bin shards (got ${source.files.map((f) => f.name).join(', ') || 'no files'})`);
    next = await createClassifier({ weights: `picked/${json.name}`, fetch: filesFetch(source.files), onProgress });
    modelName = json.name.replace(/\.json$/, '');
  } else {
    next = await createClassifier({ weights: await bytesOf(source.file), model: source.modelName || undefined });
    modelName = source.file.name.replace(/\.safetensors$/, '');
  }
  const previous = clf;
  clf = next;
  await previous?.dispose();
  return describe(clf, performance.now() - t0);
}

function describe(c: Classifier, loadMs: number): ModelInfo {
  const m = c.model;
  return {
    name: c.modelName ?? modelName,
    inputSize: [...c.dataConfig.inputSize],
    numClasses: m.numClasses,
    labels: [...(c.labels ?? Array.from({ length: m.numClasses }, (_, i) => String(i)))],
    parameters: m.numParameters(),
    loadMs,
    notes: c.notes,
  };
}

function need(): Classifier {
  if (!clf) throw new Error('no model is loaded yet');
  return clf;
}

async function classify(file: File): Promise<ClassifyResult> {
  const c = need();
  const bytes = await bytesOf(file);
  const t0 = performance.now();
  let a;
  try {
    a = await c.attention(bytes, { method: 'rollout', topk: 5 });
  } catch (e) {
    throw new Error(`${file.name}: ${(e as Error).message}`);
  }
  const ms = performance.now() - t0;
  const rgb = overlayHeatmap(a.crop, a.map, a.grid, { alpha: 0.45 });
  const rgba = new Uint8ClampedArray(rgb.width * rgb.height * 4);
  for (let i = 0; i < rgb.width * rgb.height; i++) {
    rgba.set(rgb.data.subarray(i * 3, i * 3 + 3), i * 4);
    rgba[i * 4 + 3] = 255;
  }
  const top = a.top.map((p) => ({ index: p.index, label: p.label ?? String(p.index), prob: p.prob }));
  return { name: file.name, top, ms, overlay: { width: rgb.width, height: rgb.height, data: rgba } };
}

async function train(id: number, images: LabelledFile[], steps: number, lr: number, heldOutFraction: number): Promise<TrainResult> {
  const c = need();
  const labels = [...new Set(images.map((i) => i.label))].sort();
  if (labels.length < 2) throw new Error(`learning needs images of at least 2 classes (folders), got ${labels.length}`);
  const { train: trainSet, heldOut } = splitHeldOut(images, heldOutFraction);
  const t0 = performance.now();
  const features = async (set: LabelledFile[], offset: number) => {
    const out = await c.embed(await Promise.all(set.map((i) => bytesOf(i.file))), {
      pool: 'prelogits', batchSize: 8, onProgress: (done) => post({ id, type: 'progress', what: 'features', done: offset + done, total: images.length }),
    });
    return out.map((e, i) => {
      if (!e.embedding) throw new Error(`${set[i]!.file.name}: ${e.error.message}`);
      return e.embedding;
    });
  };
  const trainX = await features(trainSet, 0);
  const heldX = await features(heldOut, trainSet.length);
  const featureMs = performance.now() - t0;

  const t1 = performance.now();
  const model = c.model;
  const dim = trainX[0]!.length;
  model.resetClassifier(labels.length);
  const probe = new HeadOnFeatures(model.head);
  const opt = new AdamW(probe, { lr, weightDecay: 1e-4 });
  const x = tf.tensor2d(concat(trainX), [trainX.length, dim]);
  const y = tf.tensor1d(trainSet.map((i) => labels.indexOf(i.label)), 'int32');
  let finalLoss = Number.NaN;
  try {
    for (let step = 1; step <= steps; step++) {
      const { loss, grads, logits } = lossAndGradients(probe, crossEntropy, x, y, opt.variables());
      opt.step(grads);
      if (step % 10 === 0 || step === steps) {
        finalLoss = (await loss.data())[0] as number;
        post({ id, type: 'progress', what: 'train', step, steps, loss: finalLoss });
      }
      tf.dispose([loss, logits, grads]);
    }
  } finally {
    tf.dispose([x, y]);
    opt.dispose();
  }
  let heldOutAccuracy: number | null = null;
  if (heldOut.length) {
    const hx = tf.tensor2d(concat(heldX), [heldX.length, dim]);
    const pred = tf.tidy(() => tf.argMax(model.head.forward(hx), -1));
    const p = (await pred.data()) as Int32Array;
    tf.dispose([hx, pred]);
    heldOutAccuracy = heldOut.filter((h, i) => labels[p[i]!] === h.label).length / heldOut.length;
  }
  const dc = c.dataConfig;
  const dataConfig: DataConfigOverrides = { inputSize: dc.inputSize, interpolation: dc.interpolation, mean: dc.mean, std: dc.std, cropPct: dc.cropPct, cropMode: dc.cropMode };
  clf = await createClassifier({ weights: model, labels, dataConfig }); // the same weights, the new head and labels
  return { labels, trainCount: trainSet.length, heldOutCount: heldOut.length, heldOutAccuracy, finalLoss, featureMs, trainMs: performance.now() - t1 };
}

function concat(rows: Float32Array[]): Float32Array {
  const out = new Float32Array(rows.reduce((n, r) => n + r.length, 0));
  rows.forEach((r, i) => out.set(r, i * (rows[0]?.length ?? 0)));
  return out;
}

/** The whole model (timm keys, with labels and preprocessing in its metadata) or just `head.*`. */
function exportWeights(what: 'head' | 'model'): { bytes: Uint8Array; fileName: string } {
  const c = need();
  const dc = c.dataConfig;
  const meta = encodeModelMeta({
    numHeads: c.model.config.numHeads,
    labels: c.labels ? [...c.labels] : undefined,
    dataConfig: { inputSize: [...dc.inputSize], interpolation: dc.interpolation, mean: [...dc.mean], std: [...dc.std], cropPct: dc.cropPct, cropMode: dc.cropMode },
  });
  const state = c.model.stateDict();
  try {
    const picked = what === 'head' ? new Map([...state].filter(([k]) => k.startsWith('head.'))) : state;
    const bytes = serializeSafetensors(picked, { metadata: { format: 'pt', ...meta } });
    return { bytes, fileName: `${modelName}-${what === 'head' ? 'head' : 'finetuned'}.safetensors` };
  } finally {
    tf.dispose([...state.values()]);
  }
}

self.onmessage = async (event: MessageEvent<Request>) => {
  const req = event.data;
  try {
    let value: unknown;
    if (req.type === 'init') value = await startBackend(req.backend);
    else if (req.type === 'load') value = await load(req.id, req.source);
    else if (req.type === 'classify') value = await classify(req.file);
    else if (req.type === 'train') value = await train(req.id, req.images, req.steps, req.lr, req.heldOutFraction);
    else value = exportWeights(req.what);
    post({ id: req.id, type: 'ok', value });
  } catch (e) {
    const err = e as Error & { code?: string };
    post({ id: req.id, type: 'error', message: err.message ?? String(e), code: err.code });
  }
};
