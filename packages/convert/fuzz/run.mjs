// Fuzz driver for the checkpoint and model.json parsers, run on the built package in a bare Node
// process (the tests and `npm run fuzz` start it under a memory limit):
//   node fuzz/run.mjs <target|all> <runs> [seed]
// prints one JSON tally per target (see @tfjs-vit/testing/fuzz).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { createViT } from '@tfjs-vit/models';
import { TfjsVitError } from '@tfjs-vit/ops';
import { fuzzTarget } from '@tfjs-vit/testing/fuzz';
import fc from 'fast-check';
import { bytesSource, crc32, loadModel, readCheckpoint, readZip, toTfjsArtifacts } from '../dist/index.js';

const fixture = (name) => new Uint8Array(readFileSync(fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url))));
const typed = (err) => (err instanceof TfjsVitError ? err.code : undefined);

/** Every tensor of a checkpoint as `key dtype [shape] crc` lines: equal strings, equal weights. */
async function weights(bytes) {
  const { tensors } = await readCheckpoint(bytes);
  const lines = [...tensors].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, t]) => {
    const v = t.dataSync();
    return `${k} ${t.dtype} [${t.shape}] ${crc32(new Uint8Array(v.buffer, v.byteOffset, v.byteLength))}`;
  });
  tf.dispose([...tensors.values()]);
  return lines.join('\n');
}

/** data.pkl's byte range inside a torch zip (mutated in place, so the archive stays valid). */
function dataPkl(b) {
  const e = [...readZip(bytesSource(b)).values()].find((x) => x.name.endsWith('/data.pkl'));
  return [e.dataOffset(), e.dataOffset() + e.size];
}

/** data.pkl's range in nested_zip.pth; the mutations of that target preserve lengths, so it does not move. */
let pklRange;

/** Writes data.pkl's CRC-32 into its central record, so a mutated pickle reaches the unpickler. */
function restampDataPkl(b) {
  pklRange ??= dataPkl(fixture('nested_zip.pth'));
  const [start, end] = pklRange;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let eocd = b.length - 22;
  while (dv.getUint32(eocd, true) !== 0x06054b50) eocd--;
  let p = dv.getUint32(eocd + 16, true);
  for (let i = 0; i < dv.getUint16(eocd + 10, true); i++) {
    const nameLen = dv.getUint16(p + 28, true);
    if (new TextDecoder().decode(b.subarray(p + 46, p + 46 + nameLen)).endsWith('/data.pkl')) dv.setUint32(p + 16, crc32(b.subarray(start, end)), true);
    p += 46 + nameLen + dv.getUint16(p + 30, true) + dv.getUint16(p + 32, true);
  }
  return b;
}

/** A small model's model.json (float32) and shards; a load goes through loadModel with an in-memory fetch. */
function webModel() {
  const model = createViT({ imgSize: 32, patchSize: 8, embedDim: 16, depth: 1, numHeads: 2, numClasses: 3 });
  const { modelJson, shards } = toTfjsArtifacts(model, { shardBytes: 8192 });
  model.dispose();
  const files = new Map(modelJson.weightsManifest[0].paths.map((p, i) => [p, shards[i]]));
  const load = async (jsonBytes) => {
    const fetch = async (url) => {
      const name = url.slice('http://fuzz/'.length);
      const body = name === 'model.json' ? jsonBytes : files.get(name);
      if (!body) return { ok: false, status: 404, text: async () => '', arrayBuffer: async () => new ArrayBuffer(0) };
      return { ok: true, status: 200, text: async () => new TextDecoder().decode(body), arrayBuffer: async () => body.slice().buffer };
    };
    const m = await loadModel('http://fuzz/model.json', { fetch });
    const sd = m.stateDict();
    const out = [...sd].map(([k, t]) => `${k} [${t.shape}] ${crc32(new Uint8Array(t.dataSync().buffer))}`).join('\n');
    tf.dispose([...sd.values()]);
    m.dispose();
    return out;
  };
  return { json: new TextEncoder().encode(JSON.stringify(modelJson)), modelJson, load };
}

/** model.json with one field (anywhere in the tree) replaced by a hostile value. */
function fieldMutations(modelJson) {
  const paths = [];
  const walk = (v, path) => {
    paths.push(path);
    if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, [...path, k]);
  };
  walk(modelJson, []);
  const values = fc.constantFrom(null, -1, 0, 1, 2.5, 1e6, 1e9, 2 ** 53, 'bogus', 'complex64', 'string', 'int32', 'bool', 'float16', 'uint8', '../x.bin', '', true, [], [null], [-1, 2], {}, { dtype: 'bogus' });
  return fc.tuple(fc.nat(paths.length - 2), values).map(([i, value]) => {
    const copy = structuredClone(modelJson);
    const path = paths[i + 1];
    let o = copy;
    for (const k of path.slice(0, -1)) o = o[k];
    o[path.at(-1)] = value;
    return new TextEncoder().encode(JSON.stringify(copy));
  });
}

function targets() {
  const web = webModel();
  const loadZip = async (b) => [...readZip(bytesSource(b)).values()].map((e) => `${e.name} ${crc32(e.read())}`).sort().join('\n');
  return {
    zip: { original: fixture('state_zip.pth'), load: loadZip, mustMatch: true },
    'torch-zip': { original: fixture('state_zip.pth'), load: weights, mustMatch: true },
    'torch-zip-pickle': { original: fixture('nested_zip.pth'), load: weights, region: dataPkl, fix: restampDataPkl },
    'torch-legacy': { original: fixture('state_legacy.pth'), load: weights },
    'legacy-pickle': { original: fixture('nested_legacy.pth'), load: weights, region: (b) => [0, b.length - 200] },
    safetensors: { original: fixture('expected.safetensors'), load: weights },
    'safetensors-header': { original: fixture('expected.safetensors'), load: weights, region: (b) => [0, 8 + Number(new DataView(b.buffer).getBigUint64(0, true))] },
    npy: { original: fixture('fortran.npy'), load: weights },
    'npz-stored': { original: fixture('jax_stored.npz'), load: weights, mustMatch: true },
    'npz-deflated': { original: fixture('jax_deflated.npz'), load: weights, mustMatch: true },
    'model-json': { original: web.json, load: web.load, mustMatch: true },
    'model-json-fields': { original: web.json, load: web.load, mustMatch: true, arbitrary: fieldMutations(web.modelJson) },
    garbage: { original: new Uint8Array(0), load: weights, arbitrary: fc.uint8Array({ maxLength: 512 }) },
  };
}

const [which = 'all', runsArg = '100', seedArg = '42'] = process.argv.slice(2);
await tf.setBackend('cpu');
const all = targets();
const names = which === 'all' ? Object.keys(all) : which.split(',');
for (const name of names) {
  const t = all[name];
  if (!t) throw new Error(`unknown fuzz target ${name}; targets: ${Object.keys(all).join(', ')}`);
  const tally = await fuzzTarget({ name, typed, runs: Number(runsArg), seed: Number(seedArg), ...t });
  tally.rssMB = Math.round(process.memoryUsage().rss / 2 ** 20);
  console.log(JSON.stringify(tally));
}
