// A checkpoint as a stream of timm-keyed tensors, one small group at a time (one tensor, or the
// q/k/v parts fused into one qkv): keys and shapes are known up front, values are read, mapped,
// handed over and freed one group after another, so loading never holds the checkpoint twice.
import * as tf from '@tensorflow/tfjs-core';
import { TfjsVitError } from '@tfjs-vit/ops';
import { CheckpointError } from './errors';
import { mapKeepingUnknown, type StateDictMapper } from './key_mapping';
import { bigVisionNumHeads, bigVisionPrefix, mapBigVisionKeys } from './map_big_vision';
import { DINOV2_PREFIX_TOKEN_KEYS, mapDinov2Keys } from './map_dinov2';
import { mapHfKeys } from './map_hf';
import { isJaxOptimizerState, JAX_PREFIXES, jaxKeyMapping, jaxNumHeads } from './map_jax';
import { CLIP_VISUAL_PREFIX, mapOpenAiClipKeys, mapOpenClipTimmKeys } from './map_openai_clip';
import { mapTorchvisionKeys } from './map_torchvision';
import { checkedTensor } from './non_finite';
import { type CheckpointSource, openCheckpoint } from './read_checkpoint';
import { layoutWrappers } from './layout_parts';
import { requireLayout, type SourceLayout } from './source_layout';
import type { TensorEntry } from './tensor_entry';
import { type ReadTimmStateDictOptions, readTimmStateDict, type TimmSource, type TimmStateDict } from './timm_state_dict';
import { unwrapKeys } from './unwrap';

/** A checkpoint in timm's keys and layouts, read lazily one group of tensors at a time. */
export interface TimmStateDictStream {
  /** Every timm key the checkpoint maps to, with its shape (in timm's layout). */
  shapes: Map<string, number[]>;
  layout: SourceLayout;
  /** Wrapper entries descended into (e.g. `['model']`). */
  wrappers: string[];
  /** Prefixes removed (e.g. `['module.']`). */
  strippedPrefixes: string[];
  /** Heads recorded in the checkpoint itself (JAX). */
  numHeads?: number;
  /** A safetensors file's `__metadata__` strings (see `readModelMeta`). */
  metadata?: Record<string, string>;
  /** Reads, maps and hands over the tensors group by group; each group is freed when `fn` returns. */
  forEachGroup(fn: (tensors: ReadonlyMap<string, tf.Tensor>) => void): void;
  /**
   * Stored tensors read so far that hold NaN or ±Inf, by checkpoint key (only with
   * `allowNonFinite`; otherwise reading one throws). Values are checked as they are read, on the CPU.
   */
  readonly nonFinite: { key: string; count: number }[];
  /** Releases the source (and tensors this object holds). */
  close(): void;
}

/** A stream over a state dict already in memory (one group: all of it). Closing disposes `sd`. */
export function streamOfStateDict(sd: TimmStateDict, owned = true): TimmStateDictStream {
  return {
    shapes: new Map([...sd.tensors].map(([k, t]) => [k, [...t.shape]])),
    layout: sd.layout, wrappers: sd.wrappers, strippedPrefixes: sd.strippedPrefixes, numHeads: sd.numHeads,
    forEachGroup: (fn) => fn(sd.tensors),
    nonFinite: [], // tensors the caller holds are not checked: the check is for corrupt files
    close: () => owned && sd.dispose(),
  };
}

/** Keys read together, and their mapper (a key it does not consume passes through: key_mapping.ts). */
type Group = { keys: string[]; map: StateDictMapper };

const HF_QKV = /\.attention\.attention\.(query|key|value)\.(weight|bias)$/;

/** Splits the (unwrapped) keys into groups that map independently, each with its mapper. */
function groupsOf(layout: SourceLayout, keys: string[]): Group[] {
  const single = (map: Group['map']) => keys.map((k) => ({ keys: [k], map }));
  if (layout === 'timm') return single((raw) => raw);
  if (layout === 'torchvision') {
    // renamed as one set, so two keys meeting on one name are resolved as readTimmStateDict does
    const names = new Map([...mapTorchvisionKeys(new Map(keys.map((k) => [k, k])))].map(([to, from]) => [from, to]));
    return keys.map((k) => ({ keys: [k], map: (raw) => new Map([[names.get(k)!, raw.get(k)!]]) }));
  }
  const grouped = new Map<string, string[]>();
  const add = (g: string, k: string) => grouped.set(g, [...(grouped.get(g) ?? []), k]);
  if (layout === 'hf') {
    for (const k of keys) add(k.replace(HF_QKV, '.attention.attention.qkv.$2'), k);
    return [...grouped.values()].map((ks) => ({ keys: ks, map: mapHfKeys }));
  }
  const groupsBy = (group: (k: string) => string | null, map: Group['map']) => {
    for (const k of keys) {
      const g = group(k);
      if (g !== null) add(g, k); // null: a key the mapper leaves out (text tower, mask_token): never read
    }
    return [...grouped.values()].map((ks) => ({ keys: ks, map }));
  };
  // CLIP: a resblock at a time (its check needs the whole block); in_proj is already timm's qkv
  if (layout === 'openai_clip') return groupsBy((k) => (k.startsWith(CLIP_VISUAL_PREFIX) ? k.replace(/^(visual\.transformer\.resblocks\.\d+)\..*$/, '$1') : null), mapOpenAiClipKeys);
  if (layout === 'open_clip_timm') return groupsBy((k) => (k.startsWith('visual.head.proj.') ? 'head' : k.startsWith(CLIP_VISUAL_PREFIX) ? k : null), mapOpenClipTimmKeys);
  // DINOv2: with registers, cls_token and pos_embed are mapped together
  if (layout === 'dinov2') return groupsBy((k) => (k === 'mask_token' ? null : (DINOV2_PREFIX_TOKEN_KEYS as readonly string[]).includes(k) ? 'prefix tokens' : k), mapDinov2Keys);
  if (layout === 'big_vision') {
    const p = bigVisionPrefix(keys);
    const part = /^(Transformer\/encoderblock(?:_\d+)?\/|MAPHead_0\/)/; // a block, all scanned blocks, the MAP head
    return groupsBy((k) => (k.startsWith(p) ? (part.exec(k.slice(p.length))?.[1] ?? k) : null), (raw) => mapBigVisionKeys(raw, p));
  }
  // jax: a block maps as block 0 (the mapper walks blocks from 0), then is renamed back
  const keySet = new Set(keys);
  const p = JAX_PREFIXES.find((x) => keySet.has(`${x}embedding/kernel`)) ?? '';
  const block = new RegExp(`^${p.replace(/\//g, '\\/')}Transformer/encoderblock_(\\d+)/`);
  const outside: Group[] = []; // keys outside the weights' prefix pass through (optimizer state is left out)
  for (const k of keys) {
    if (isJaxOptimizerState(k, p)) continue;
    if (!k.startsWith(p)) {
      outside.push({ keys: [k], map: () => ({ tensors: new Map(), consumed: new Set() }) });
      continue;
    }
    const m = block.exec(k);
    add(m ? `block ${m[1]}` : k, k);
  }
  return [...outside, ...[...grouped.entries()].map(([g, ks]): Group => {
    const i = g.startsWith('block ') ? g.slice(6) : null;
    const strip = (k: string) => {
      const bare = k.slice(p.length);
      return i === null ? bare : bare.replace(`Transformer/encoderblock_${i}/`, 'Transformer/encoderblock_0/');
    };
    return {
      keys: ks,
      map: (raw) => {
        const original = new Map([...raw.keys()].map((k) => [strip(k), k]));
        const renamed = new Map([...raw].map(([k, t]) => [strip(k), t]));
        let out: ReturnType<typeof jaxKeyMapping>;
        try {
          out = jaxKeyMapping(renamed);
        } catch (err) {
          if (i === null || !(err instanceof CheckpointError)) throw err;
          throw new CheckpointError(err.code, err.message.replace('Transformer/encoderblock_0/', `${p}Transformer/encoderblock_${i}/`), { cause: err });
        }
        const tensors = i === null ? out.tensors : new Map([...out.tensors].map(([k, t]) => [k.replace(/^blocks\.0\./, `blocks.${i}.`), t]));
        return { tensors, consumed: new Set([...out.consumed].map((k) => original.get(k) ?? k)) };
      },
    };
  })];
}

/** Where a stream's non-finite values go: refused, or counted in `found` (each key once). */
type FiniteCheck = { allow: boolean; found: { key: string; count: number }[] };

function runGroup(group: Group, entries: Map<string, TensorEntry>, orig: Map<string, string>, layout: SourceLayout, fn: (t: ReadonlyMap<string, tf.Tensor>) => void, finite: FiniteCheck): void {
  const raw = new Map<string, tf.Tensor>();
  let out = new Map<string, tf.Tensor>();
  try {
    for (const k of group.keys) {
      const key = orig.get(k) ?? k;
      const { tensor, nonFinite } = checkedTensor(entries.get(k)!, key, finite.allow);
      raw.set(k, tensor);
      // a group can be read twice (once for the shapes, once to load): count a key once
      if (nonFinite && !finite.found.some((f) => f.key === key)) finite.found.push({ key, count: nonFinite });
    }
    out = new Map(Object.entries(tf.tidy(() => {
      try {
        return Object.fromEntries(mapKeepingUnknown(group.map, raw));
      } catch (err) {
        if (err instanceof TfjsVitError) throw err;
        throw new CheckpointError('CHECKPOINT_ARCH_MISMATCH', `mapping the ${layout} state dict failed: ${(err as Error).message}`, { cause: err });
      }
    })));
    fn(out);
  } finally {
    tf.dispose([...new Set([...raw.values(), ...out.values()])]);
  }
}

/**
 * Opens a checkpoint (any format and layout {@link readTimmStateDict} reads) as a stream of
 * timm-keyed tensors: `shapes` lists every mapped key before any value is loaded (for Hugging Face
 * and JAX layouts, whose q/k/v are fused, by reading and mapping it once, group by group), and
 * `forEachGroup` materialises one tensor or one fused group at a time. Peak memory: one group.
 * A source given as tensors in memory is one group. Close the stream when done.
 *
 * @example
 * const stream = await openTimmStateDict('vit_base_patch16_224.safetensors');
 * try {
 *   stream.shapes.get('blocks.0.attn.qkv.weight'); // [2304, 768]
 *   stream.forEachGroup((tensors) => { for (const [k, t] of tensors) console.log(k, t.shape); });
 * } finally { stream.close(); }
 */
export async function openTimmStateDict(source: TimmSource, options: ReadTimmStateDictOptions = {}): Promise<TimmStateDictStream> {
  if (source instanceof Map) return streamOfStateDict(await readTimmStateDict(source, options));
  const ckpt = await openCheckpoint(source as CheckpointSource);
  try {
    const unwrap = unwrapKeys([...ckpt.entries.keys()].filter((k) => !options.filter || options.filter(k)), options);
    const entries = new Map<string, TensorEntry>();
    for (const [key, orig] of unwrap.keys) entries.set(key, ckpt.entries.get(orig)!);
    const layout = options.layout ?? requireLayout(entries.keys(), (k) => entries.get(k)?.shape);
    const groups = groupsOf(layout, [...entries.keys()]);
    const finite: FiniteCheck = { allow: options.allowNonFinite ?? false, found: [] };
    const forEachGroup = (fn: (t: ReadonlyMap<string, tf.Tensor>) => void) => {
      for (const g of groups) runGroup(g, entries, unwrap.keys, layout, fn, finite);
    };
    const shapes = new Map<string, number[]>();
    if (layout === 'timm' || layout === 'torchvision') {
      const mapped = layout === 'timm' ? entries : mapTorchvisionKeys(entries);
      for (const [k, e] of mapped) shapes.set(k, [...e.shape]);
    } else {
      for (const g of groups) {
        runGroup(g, entries, unwrap.keys, layout, (tensors) => {
          for (const [k, t] of tensors) {
            // two groups meeting on one key would overwrite each other when loaded: name them
            if (shapes.has(k)) throw new CheckpointError('CHECKPOINT_ARCH_MISMATCH', `more than one ${layout} checkpoint entry maps to ${k} (one of them: ${g.keys.map((x) => unwrap.keys.get(x) ?? x).join(', ')}); remove the copy`);
            shapes.set(k, [...t.shape]);
          }
        }, finite);
      }
    }
    // what the layout left out on purpose (optimizer state, a text tower) is named as a wrapper
    const wrappers = [...unwrap.wrappers, ...layoutWrappers(layout, entries.keys())];
    return {
      shapes, layout, wrappers, strippedPrefixes: unwrap.strippedPrefixes,
      numHeads: layout === 'jax' ? jaxNumHeads(entries) : layout === 'big_vision' ? bigVisionNumHeads(entries) : undefined,
      ...(ckpt.meta.metadata ? { metadata: ckpt.meta.metadata } : {}),
      forEachGroup, nonFinite: finite.found, close: () => ckpt.close(),
    };
  } catch (err) {
    ckpt.close();
    throw err;
  }
}
