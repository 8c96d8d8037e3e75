// The onnxruntime peers on our ONNX export of the same weights: `node ort_peer.mjs DIR web|node
// THREADS RUNS`. onnxruntime-web is what transformers.js runs in a browser (its wasm build, here in
// Node); onnxruntime-node is the native CPU engine. Inference cases only; one JSON line per case.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { modelKey, readArray, timeIt } from './cases.mjs';

const [dir, engine, threadsArg, runsArg] = process.argv.slice(2);
const threads = Number(threadsArg);
const runs = Number(runsArg);
const cases = JSON.parse(readFileSync(join(dir, 'cases.json'), 'utf8')).filter((c) => c.kind === 'infer');

const ort = engine === 'web' ? await import('onnxruntime-web') : await import('onnxruntime-node');
if (engine === 'web') ort.env.wasm.numThreads = threads;
const sessionOptions = engine === 'web' ? { executionProviders: ['wasm'] } : { intraOpNumThreads: threads, interOpNumThreads: 1 };

const sessions = new Map();
for (const c of cases) {
  const key = modelKey(c);
  if (!sessions.has(key)) sessions.set(key, await ort.InferenceSession.create(readFileSync(join(dir, `${key}.onnx`)), sessionOptions));
  const session = sessions.get(key);
  const file = c.name.replaceAll('/', '_');
  const x = readArray(join(dir, `${file}.x.f32`));
  const feeds = { pixel_values: new ort.Tensor('float32', x, [c.batch, c.imgSize, c.imgSize, 3]) };
  const run = async () => (await session.run(feeds)).logits.data;
  writeFileSync(join(dir, `${file}.ort-${engine}${threads}.f32`), await run());
  const seconds = await timeIt(run, { runs });
  console.log(JSON.stringify({ case: c.name, engine: `onnxruntime-${engine}`, threads, seconds: seconds / c.batch }));
}
for (const s of sessions.values()) await s.release();
process.exit(0);
