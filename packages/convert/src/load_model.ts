// Loads a model saved in the tfjs web format: model.json + shards, by fetch (browser, http) or from
// the file system (Node paths and file:// URLs). Rebuilds the architecture with createViT.
import * as tf from '@tensorflow/tfjs-core';
import { withZeroInit } from '@tfjs-vit/layers';
import { createViT, type VisionTransformer } from '@tfjs-vit/models';
import { importNode } from '@tfjs-vit/ops';
import type { ModelMeta } from './checkpoint_meta';
import { loadTfjsStreaming } from './tfjs_stream_load';
import type { ModelJsonCheckOptions } from './model_json_check';
import { NonFiniteWeightError, storedNonFiniteWeights } from './non_finite';
import { decodeTfjsGroup, groupBytes, optionsOf, parseTfjsModelJson, TfjsFormatError, type TfjsArtifacts, type TfjsModelJson, type TfjsWeightGroup } from './tfjs_format';

/** The `fetch` the loader uses: the global one or yours (auth headers, a cache, a test server). */
export type FetchLike = (url: string) => Promise<{ ok: boolean; status: number; arrayBuffer(): Promise<ArrayBuffer>; text(): Promise<string> }>;

/** Options of {@link loadModel}. */
export interface LoadModelOptions extends ModelJsonCheckOptions {
  /** false (default): a weight holding NaN or ±Inf throws `NonFiniteWeightError` naming it. */
  allowNonFinite?: boolean;
  /** Fetch to use for URLs (default `globalThis.fetch`). Passing it also makes relative paths URLs. */
  fetch?: FetchLike;
  /** Called after model.json and after each shard: `(loaded, total)` files, and whether it came from the cache. */
  onProgress?: (loaded: number, total: number, info: { file: string; fromCache: boolean }) => void;
  /**
   * Name of a Cache API store (browsers, secure contexts) to keep the shards in, so a second visit
   * reads them from disk instead of the network. Entries are keyed by URL and the shard's CRC-32 from
   * model.json (model.json itself is always fetched), so a re-exported model is downloaded afresh;
   * a shard is cached only after it passed its check, and when a cached one fails it, the cached
   * shards are dropped and the model is loaded once more from the network. Ignored where `caches`
   * is absent or for model.json files without checksums.
   */
  cache?: string;
}

/** The part of the Cache API the loader uses (`globalThis.caches`). */
interface CacheStorageLike {
  open(name: string): Promise<{
    match(key: string): Promise<{ arrayBuffer(): Promise<ArrayBuffer> } | undefined>;
    put(key: string, response: unknown): Promise<void>;
    delete(key: string): Promise<boolean>;
  }>;
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
export function fromTfjsArtifacts(artifacts: { modelJson: TfjsModelJson | unknown; shards: readonly Uint8Array[] }, options: ModelJsonCheckOptions & { allowNonFinite?: boolean } = {}): VisionTransformer {
  const modelJson = parseTfjsModelJson(artifacts.modelJson, options);
  const groups = modelJson.weightsManifest;
  const count = groups.reduce((n, g) => n + g.paths.length, 0);
  if (artifacts.shards.length !== count) throw new TfjsFormatError(`weightsManifest: expected ${count} shards, got ${artifacts.shards.length}`);
  checkShardSizes(modelJson, (p) => artifacts.shards[pathIndex(groups, p)]?.length);
  const model = withZeroInit(() => createViT(optionsOf(modelJson))); // every weight is loaded below
  let at = 0;
  const tensors = new Map<string, tf.Tensor>();
  try {
    for (const g of groups) {
      const shards = artifacts.shards.slice(at, at + g.paths.length);
      at += g.paths.length;
      for (const [k, t] of decodeTfjsGroup(g, shards)) tensors.set(k, t); // shards' CRC-32 checked here
      if (!options.allowNonFinite) {
        const bad = storedNonFiniteWeights(g, shards).next();
        if (!bad.done) throw new NonFiniteWeightError(bad.value.key, bad.value.count, bad.value.total);
      }
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

function pathIndex(groups: readonly TfjsWeightGroup[], path: string): number {
  let i = 0;
  for (const g of groups) {
    const at = g.paths.indexOf(path);
    if (at >= 0) return i + at;
    i += g.paths.length;
  }
  return -1;
}

/**
 * Before the model is built: each group's shards must hold exactly the bytes its weights need.
 * `sizeOf(path)` is a shard's byte length, or undefined when it is not known yet (fetch).
 */
function checkShardSizes(modelJson: TfjsModelJson, sizeOf: (path: string) => number | undefined): void {
  modelJson.weightsManifest.forEach((g, i) => {
    const sizes = g.paths.map(sizeOf);
    if (sizes.some((n) => n === undefined)) return;
    const held = (sizes as number[]).reduce((a, b) => a + b, 0);
    const need = groupBytes(g);
    if (held !== need) throw new TfjsFormatError(`weightsManifest[${i}]: the weights need ${need} bytes, the shards ${g.paths.join(', ').slice(0, 200)} hold ${held}`);
  });
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

type Reader = {
  json(name: string): Promise<unknown>;
  /** A shard's bytes, from the cache when `crc` (from model.json) finds it there. Unchecked: the loader checks them. */
  bytes(name: string, crc?: number): Promise<{ bytes: Uint8Array; fromCache: boolean }>;
  /** Keeps a shard that passed its check for the next visit (a fetch reader with a cache only). */
  keep?(name: string, crc: number, bytes: Uint8Array): Promise<void>;
  /** Drops cached shards (one of them failed its check). */
  forget?(shards: readonly (readonly [string, number])[]): Promise<void>;
  /** A shard's size in bytes without reading it (files), so sizes are checked before the model is built. */
  size?(name: string): Promise<number>;
};

function fetchReader(base: string, fetchFn: FetchLike, cacheName?: string): Reader {
  const get = async (name: string) => {
    const url = base + name;
    const res = await fetchFn(url);
    if (!res.ok) throw new TfjsFormatError(`loadModel: GET ${url} failed with HTTP ${res.status}`);
    return res;
  };
  const fetched = async (name: string) => ({ bytes: new Uint8Array(await (await get(name)).arrayBuffer()), fromCache: false });
  const reader: Reader = { json: async (name) => parseJson(base + name, await (await get(name)).text()), bytes: fetched };
  const storage = (globalThis as { caches?: CacheStorageLike }).caches;
  const Res = (globalThis as { Response?: new (body: Uint8Array) => unknown }).Response;
  if (!cacheName || !storage || !Res) return reader;
  const cache = storage.open(cacheName).catch(() => null);
  const key = (name: string, crc: number) => `${base + name}${name.includes('?') ? '&' : '?'}tfjs-vit-crc32=${crc.toString(16)}`;
  return {
    ...reader,
    bytes: async (name, crc) => {
      const hit = crc === undefined ? undefined : await (await cache)?.match(key(name, crc)).catch(() => undefined);
      return hit ? { bytes: new Uint8Array(await hit.arrayBuffer()), fromCache: true } : fetched(name);
    },
    keep: async (name, crc, bytes) => {
      await (await cache)?.put(key(name, crc), new Res(bytes)).catch(() => undefined); // quota: just don't cache
    },
    forget: async (shards) => {
      const store = await cache;
      await Promise.all(shards.map(([name, crc]) => store?.delete(key(name, crc)).catch(() => false)));
    },
  };
}

async function fsReader(dir: string): Promise<Reader> {
  const fs = await importNode<typeof import('node:fs/promises')>('node:fs/promises');
  const path = await importNode<typeof import('node:path')>('node:path');
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
      return { bytes: new Uint8Array(b.buffer, b.byteOffset, b.byteLength), fromCache: false };
    },
    size: async (name) => {
      try {
        return (await fs.stat(path.join(dir, name))).size;
      } catch (e) {
        throw new TfjsFormatError(`loadModel: cannot read ${path.join(dir, name)}: ${(e as Error).message}`, { cause: e });
      }
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
  return (await loadModelWithMeta(location, options)).model;
}

/** What {@link loadModelWithMeta} loaded: the model, its model.json, and what it records about itself. */
export interface LoadedTfjsModel {
  model: VisionTransformer;
  modelJson: TfjsModelJson;
  /** model.json's `meta` (labels, preprocessing, registry name), or null. */
  meta: ModelMeta | null;
}

/**
 * {@link loadModel}, also returning model.json and its `meta` — the class names and preprocessing
 * `saveTfjsModel(model, dir, { meta })` recorded.
 *
 * @example
 * ```ts
 * const { model, meta } = await loadModelWithMeta('/model/model.json', { cache: 'my-models' });
 * meta?.labels; // ['T-shirt/top', 'Trouser', …]
 * ```
 */
export async function loadModelWithMeta(location: string, options: LoadModelOptions = {}): Promise<LoadedTfjsModel> {
  let reader: Reader;
  let name: string;
  if (/^https?:\/\//i.test(location) || (!/^file:/i.test(location) && (options.fetch || !isNode()))) {
    const fetchFn = options.fetch ?? (globalThis.fetch as unknown as FetchLike | undefined);
    if (!fetchFn) throw new TfjsFormatError(`loadModel: no fetch available to load ${location}; pass options.fetch`);
    const [base, file] = splitLocation(location);
    reader = fetchReader(base, fetchFn, options.cache);
    name = file;
  } else {
    let loc = location;
    if (/^file:/i.test(loc)) loc = (await importNode<typeof import('node:url')>('node:url')).fileURLToPath(loc);
    const [base, file] = splitLocation(loc);
    reader = await fsReader(base);
    name = file;
  }
  const modelJson = parseTfjsModelJson(await reader.json(name), options);
  if (reader.size) {
    const paths = modelJson.weightsManifest.flatMap((g) => g.paths);
    const sizes = new Map(await Promise.all(paths.map(async (p) => [p, await reader.size!(p)] as const)));
    checkShardSizes(modelJson, (p) => sizes.get(p));
  }
  const total = modelJson.weightsManifest.reduce((n, g) => n + g.paths.length, 0) + 1;
  options.onProgress?.(1, total, { file: name, fromCache: false });
  const crcs = new Map(modelJson.weightsManifest.flatMap((g) => g.paths.map((p, i) => [p, g.crc32?.[i]] as const)));
  // The loader checks every shard's CRC-32 once; a fetched shard is cached only after it passed.
  const attempt = async (hits: Map<string, number>) => {
    let loaded = 1;
    return loadTfjsStreaming(modelJson, async (p) => {
      const { bytes, fromCache } = await reader.bytes(p, crcs.get(p));
      if (fromCache) hits.set(p, crcs.get(p)!);
      options.onProgress?.(++loaded, total, { file: p, fromCache });
      return bytes;
    }, {
      allowNonFinite: options.allowNonFinite,
      onChecked: async (p, bytes) => {
        const crc = crcs.get(p);
        if (crc !== undefined && !hits.has(p)) await reader.keep?.(p, crc, bytes);
      },
    });
  };
  const hits = new Map<string, number>();
  let model: VisionTransformer;
  try {
    model = await attempt(hits);
  } catch (e) {
    // a damaged cache entry: drop what came from the cache and load once more from the network
    if (!(e instanceof TfjsFormatError) || !hits.size || !reader.forget) throw e;
    await reader.forget([...hits]);
    model = await attempt(new Map());
  }
  return { model, modelJson, meta: modelJson.meta ?? null };
}
