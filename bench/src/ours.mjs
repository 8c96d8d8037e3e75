// Our side of the benchmark, one process per wasm thread count (threads are fixed at init):
// `node ours.mjs DIR THREADS RUNS [--prepare]`. Reads DIR/cases.json, prints one JSON line per case.
// With --prepare it first writes what the peers load: each model's seeded weights as safetensors
// (timm keys), its ONNX export, and each case's input — so every engine runs the same numbers.
import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { exportOnnx, saveSafetensors } from '@tfjs-vit/convert';
import { withSeededInit } from '@tfjs-vit/layers';
import { createModel } from '@tfjs-vit/models';
import { selectBackend } from '@tfjs-vit/ops';
import { AdamW, crossEntropyLoss, detachBackbone, linearProbe, lossAndGradients } from '@tfjs-vit/train';
import { caseInput, modelKey, timeIt } from './cases.mjs';

const [dir, threadsArg, runsArg, flag] = process.argv.slice(2);
const cases = JSON.parse(readFileSync(join(dir, 'cases.json'), 'utf8'));
const runs = Number(runsArg);
const choice = await selectBackend({ prefer: 'wasm', fallback: false, wasmThreads: Number(threadsArg) });
const threads = choice.threads ?? 1;

const build = (c) => withSeededInit(0, () => createModel(c.model, c.overrides));

/** Writes what the peers load for a model: its seeded weights (timm keys), its ONNX export, its config. */
async function prepareModel(c) {
  const model = build(c).eval();
  await saveSafetensors(model, join(dir, `${modelKey(c)}.safetensors`));
  writeFileSync(join(dir, `${modelKey(c)}.onnx`), exportOnnx(model, { dataFormat: 'NHWC' }));
  const { embedDim, depth, numHeads, patchSize, imgSize, numClasses, mlpRatio } = model.config;
  const config = { embedDim, depth, numHeads, patchSize: patchSize[0], imgSize: imgSize[0], numClasses, mlpRatio, params: model.numParameters() };
  writeFileSync(join(dir, `${modelKey(c)}.json`), JSON.stringify(config));
  model.dispose();
}

if (flag === '--prepare') {
  const done = new Set();
  const conversions = JSON.parse(readFileSync(join(dir, 'conversions.json'), 'utf8'));
  for (const c of [...cases, ...conversions]) {
    if (c.batch) {
      const { x, labels } = caseInput(c);
      writeFileSync(join(dir, `${c.name.replaceAll('/', '_')}.x.f32`), x);
      writeFileSync(join(dir, `${c.name.replaceAll('/', '_')}.y.i32`), labels);
    }
    if (done.has(modelKey(c))) continue;
    done.add(modelKey(c));
    await prepareModel(c);
  }
}

async function infer(c) {
  const model = build(c).eval();
  const { x, shape } = caseInput(c);
  const input = tf.tensor4d(x, shape);
  const run = async () => {
    const y = model.forward(input);
    const data = await y.data();
    y.dispose();
    return data;
  };
  const logits = await run();
  const before = tf.memory().numTensors;
  const seconds = await timeIt(run, { runs });
  const growth = tf.memory().numTensors - before;
  input.dispose();
  model.dispose();
  return { seconds: seconds / c.batch, logits, growth };
}

/** The wasm heap's size: it never shrinks, so after a case it bounds that case's peak from above. */
const heapBytes = () => tf.backend().wasm?.HEAPU8?.length;

async function train(c) {
  const model = build(c).train();
  if (c.kind === 'train-head') {
    linearProbe(model);
    detachBackbone(model);
  }
  const { x, shape, labels } = caseInput(c);
  const input = tf.tensor4d(x, shape);
  const y = tf.tensor1d(labels, 'int32');
  const opt = new AdamW(model, { lr: 1e-4, weightDecay: 0.05 });
  const loss = crossEntropyLoss();
  const losses = [];
  const step = async () => {
    const r = lossAndGradients(model, loss, input, y, opt.variables());
    opt.step(r.grads);
    losses.push(await r.loss.data().then((d) => d[0]));
    tf.dispose([r.loss, r.logits, r.grads]);
  };
  const seconds = await timeIt(step, { runs });
  tf.dispose([input, y]);
  opt.dispose?.();
  model.dispose();
  return { seconds, losses: losses.slice(0, 2) };
}

for (const c of cases) {
  const r = c.kind === 'infer' ? await infer(c) : await train(c);
  if (r.logits) writeFileSync(join(dir, `${c.name.replaceAll('/', '_')}.ours${threads}.f32`), r.logits);
  console.log(JSON.stringify({ case: c.name, engine: 'ours', threads, backend: tf.getBackend(), seconds: r.seconds, losses: r.losses, tensorGrowth: r.growth, heapBytes: heapBytes() }));
}
process.exit(0);
