// Loads a model saved in the tfjs web format: model.json + shards, by fetch (browser, http) or from
// the file system (Node paths and file:// URLs). Rebuilds the architecture with createViT.
import * as tf from '@tensorflow/tfjs-core';
import { withZeroInit } from '@tfjs-vit/layers';
import { createViT, type VisionTransformer } from '@tfjs-vit/models';
import { loadTfjsStreaming } from './tfjs_stream_load';
import { decodeTfjsGroup, optionsOf, parseTfjsModelJson, TfjsFormatError, type TfjsArtifacts, type TfjsModelJson } from './tfjs_format';

/** The `fetch` the loader uses: the global one or yours (auth headers, a cache, a test server). */
export type FetchLike = (url: string) => Promise<{ ok: boolean; status: number; arrayBuffer(): Promise<ArrayBuffer>; text(): Promise<string> }>;

/** Options of {@link loadModel}. */
export interface LoadModelOptions {
  /** Fetch to use for URLs (default `globalThis.fetch`). Passing it also makes relative paths URLs. */
  fetch?: FetchLike;
  /** Called after model.json and after each shard: `(loaded, total)` files. */
  onProgress?: (loaded: number, total: number) => void;
}

/**
 * Builds the model a model.json describes and loads the shards' weights (strictly: every key, every
 * shape). The model is returned in eval mode. Tensors made for loading are disposed.
 *
 * @example
 * ```ts
 * const { modelJson, shards } = toTfjsArtifacts(model);
 * const copy = fromTfjsArtifacts({ modelJson, shards });
 * ```
 */
export function fromTfjsArtifacts(artifacts: { modelJson: TfjsModelJson | unknown; shards: readonly Uint8Array[] }): VisionTransformer {
  const modelJson = parseTfjsModelJson(artifacts.modelJson);
  const groups = modelJson.weightsManifest;
  const model = withZeroInit(() => createViT(optionsOf(modelJson))); // every weight is loaded below
  let at = 0;
  const tensors = new Map<string, tf.Tensor>();
  try {
    for (const g of groups) {
      const shards = artifacts.shards.slice(at, at + g.paths.length);
      at += g.paths.length;
      for (const [k, t] of decodeTfjsGroup(g, shards)) tensors.set(k, t);
    }
    model.loadStateDict(tensors, { strict: true });
  } catch (e) {
    model.dispose();
    throw e;
  } finally {
    tf.dispose([...tensors.values()]);
  }
  return model.eval();
}

function isNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === 'string';
}

function parseJson(where: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new TfjsFormatError(`loadModel: ${where} is not JSON (${(e as Error).message})`, { cause: e });
  }
}

type Reader = { json(name: string): Promise<unknown>; bytes(name: string): Promise<Uint8Array> };

function fetchReader(base: string, fetchFn: FetchLike): Reader {
  const get = async (name: string) => {
    const url = base + name;
    const res = await fetchFn(url);
    if (!res.ok) throw new TfjsFormatError(`loadModel: GET ${url} failed with HTTP ${res.status}`);
    return res;
  };
  return {
    json: async (name) => parseJson(base + name, await (await get(name)).text()),
    bytes: async (name) => new Uint8Array(await (await get(name)).arrayBuffer()),
  };
}

async function fsReader(dir: string): Promise<Reader> {
  const fs = await import('node:fs/promises');
  const path = await import('node:path');
  const read = async (name: string) => {
    try {
      return await fs.readFile(path.join(dir, name));
    } catch (e) {
      throw new TfjsFormatError(`loadModel: cannot read ${path.join(dir, name)}: ${(e as Error).message}`, { cause: e });
    }
  };
  return {
    json: async (name) => parseJson(name, (await read(name)).toString('utf8')),
    bytes: async (name) => {
      const b = await read(name);
      return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
    },
  };
}

/** Splits a location into the base (ending in a separator) and model.json's file name. */
function splitLocation(loc: string): [string, string] {
  const trimmed = loc.replace(/[?#].*$/, '');
  if (trimmed.endsWith('.json')) {
    const cut = Math.max(loc.lastIndexOf('/'), loc.lastIndexOf('\\')) + 1;
    return [loc.slice(0, cut), loc.slice(cut)];
  }
  return [loc.endsWith('/') || loc.endsWith('\\') ? loc : `${loc}/`, 'model.json'];
}

/**
 * Loads a model saved by `saveTfjsModel` / `toTfjsArtifacts` from a directory or a model.json
 * location: `http(s)://` URLs (and, in a browser or with `options.fetch`, relative URLs) use fetch;
 * in Node, paths and `file://` URLs are read with `node:fs`. Keys and shapes are checked against
 * model.json before any shard is fetched; shards are then read one at a time, each weight written
 * into the model (built without random init) as soon as its bytes are in. Returns it in eval mode.
 *
 * @example
 * ```ts
 * const model = await loadModel('https://example.com/vit_small/model.json'); // browser or Node 18+
 * const local = await loadModel('./web/vit_small');                             // Node
 * const logits = local.forward(tf.zeros([1, 224, 224, 3]));
 * ```
 */
export async function loadModel(location: string, options: LoadModelOptions = {}): Promise<VisionTransformer> {
  let reader: Reader;
  let name: string;
  if (/^https?:\/\//i.test(location) || (!/^file:/i.test(location) && (options.fetch || !isNode()))) {
    const fetchFn = options.fetch ?? (globalThis.fetch as unknown as FetchLike | undefined);
    if (!fetchFn) throw new TfjsFormatError(`loadModel: no fetch available to load ${location}; pass options.fetch`);
    const [base, file] = splitLocation(location);
    reader = fetchReader(base, fetchFn);
    name = file;
  } else {
    let loc = location;
    if (/^file:/i.test(loc)) loc = (await import('node:url')).fileURLToPath(loc);
    const [base, file] = splitLocation(loc);
    reader = await fsReader(base);
    name = file;
  }
  const modelJson = parseTfjsModelJson(await reader.json(name));
  const total = modelJson.weightsManifest.reduce((n, g) => n + g.paths.length, 0) + 1;
  options.onProgress?.(1, total);
  let loaded = 1;
  return loadTfjsStreaming(modelJson, async (p) => {
    const bytes = await reader.bytes(p);
    options.onProgress?.(++loaded, total);
    return bytes;
  });
}
