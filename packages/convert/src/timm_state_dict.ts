// From any checkpoint source to a state dict in timm's keys and layouts: read (only the tensors
// the state dict needs), unwrap training wrappers and prefixes, detect the source layout, and map
// it with that source's pure mapper. Shared by loadTimmCheckpoint and fromTimm.
import * as tf from '@tensorflow/tfjs-core';
import { TfjsVitError } from '@tfjs-vit/ops';
import { CheckpointError } from './errors';
import { mapKeepingUnknown, type StateDictMapper } from './key_mapping';
import { bigVisionNumHeads, mapBigVisionKeys } from './map_big_vision';
import { mapDinov2Keys } from './map_dinov2';
import { mapHfKeys } from './map_hf';
import { jaxNumHeads, mapJaxKeys } from './map_jax';
import { mapOpenAiClipKeys, mapOpenClipTimmKeys } from './map_openai_clip';
import { mapTorchvisionKeys } from './map_torchvision';
import { checkedTensor } from './non_finite';
import { type CheckpointSource, openCheckpoint } from './read_checkpoint';
import { layoutWrappers } from './layout_parts';
import { requireLayout, type SourceLayout } from './source_layout';
import { unwrapKeys, type UnwrapOptions } from './unwrap';

/** A checkpoint as bytes, a path (Node), or tensors already in memory (flattened keys). */
export type TimmSource = CheckpointSource | ReadonlyMap<string, tf.Tensor>;

/** Options of {@link readTimmStateDict}. */
export interface ReadTimmStateDictOptions extends UnwrapOptions {
  /** Read only the checkpoint keys (as stored, before unwrapping) that pass. */
  filter?: (checkpointKey: string) => boolean;
  /** Skip detection and map from this layout. */
  layout?: SourceLayout;
  /**
   * false (default): a stored tensor holding NaN or ±Inf throws `NonFiniteWeightError` naming its
   * key when its values are read. true: read it anyway (a stream lists it in `nonFinite`).
   */
  allowNonFinite?: boolean;
}

/** A state dict in timm's keys and layouts, and what was done to get it. */
export interface TimmStateDict {
  tensors: Map<string, tf.Tensor>;
  /** The naming the checkpoint used. */
  layout: SourceLayout;
  /** Wrapper entries descended into (e.g. `['model']`). */
  wrappers: string[];
  /** Prefixes removed (e.g. `['module.']`). */
  strippedPrefixes: string[];
  /** Heads recorded in the checkpoint itself (JAX kernels keep `[D, heads, headDim]`). */
  numHeads?: number;
  /** Frees the tensors this object created (never the caller's own tensors). */
  dispose(): void;
}

// Each mapper passes a key it does not know through under its own name (see key_mapping.ts).
const MAPPERS: Record<SourceLayout, StateDictMapper> = {
  timm: (sd) => new Map(sd),
  torchvision: mapTorchvisionKeys,
  hf: mapHfKeys,
  jax: mapJaxKeys,
  big_vision: mapBigVisionKeys,
  openai_clip: mapOpenAiClipKeys,
  open_clip_timm: mapOpenClipTimmKeys,
  dinov2: mapDinov2Keys,
};

async function materialise(source: TimmSource, options: ReadTimmStateDictOptions): Promise<{ raw: Map<string, tf.Tensor>; owned: boolean; unwrap: ReturnType<typeof unwrapKeys> }> {
  if (source instanceof Map) {
    const keys = [...source.keys()].filter((k) => !options.filter || options.filter(k));
    const unwrap = unwrapKeys(keys, options);
    const raw = new Map<string, tf.Tensor>();
    for (const [key, orig] of unwrap.keys) raw.set(key, source.get(orig)!);
    return { raw, owned: false, unwrap };
  }
  const ckpt = await openCheckpoint(source as CheckpointSource);
  const raw = new Map<string, tf.Tensor>();
  try {
    const keys = [...ckpt.entries.keys()].filter((k) => !options.filter || options.filter(k));
    const unwrap = unwrapKeys(keys, options);
    for (const [key, orig] of unwrap.keys) raw.set(key, checkedTensor(ckpt.entries.get(orig)!, orig, options.allowNonFinite ?? false).tensor);
    return { raw, owned: true, unwrap };
  } catch (err) {
    for (const t of raw.values()) t.dispose();
    throw err;
  } finally {
    ckpt.close();
  }
}

/**
 * Reads a checkpoint into a state dict in timm's keys and layouts, whatever its source (timm,
 * torchvision, Hugging Face, JAX npz) and wrapping (`{'model': ...}`, `module.` prefixes).
 * Only the wrapped state dict's tensors are read, so optimizer state costs no memory.
 * Dispose the result when done.
 *
 * @example
 * const sd = await readTimmStateDict('vit_b_16.pth');
 * sd.layout; // 'torchvision'
 * sd.tensors.get('blocks.0.attn.qkv.weight')!.shape; // [2304, 768]
 * sd.dispose();
 */
export async function readTimmStateDict(source: TimmSource, options: ReadTimmStateDictOptions = {}): Promise<TimmStateDict> {
  const { raw, owned, unwrap } = await materialise(source, options);
  const created = new Set<tf.Tensor>(owned ? raw.values() : []);
  const disposeCreated = () => {
    for (const t of created) t.dispose();
    created.clear();
  };
  try {
    const layout = options.layout ?? requireLayout(raw.keys(), (k) => raw.get(k)?.shape);
    const numHeads = layout === 'jax' ? jaxNumHeads(raw) : layout === 'big_vision' ? bigVisionNumHeads(raw) : undefined;
    // tidy: whatever a mapper makes before it throws is freed; what it returns is kept
    const tensors = new Map(Object.entries(tf.tidy(() => {
      try {
        return Object.fromEntries(mapKeepingUnknown(MAPPERS[layout], raw));
      } catch (err) {
        if (err instanceof TfjsVitError) throw err;
        // a shape no explicit check anticipated: still a statement about the checkpoint
        throw new CheckpointError('CHECKPOINT_ARCH_MISMATCH', `mapping the ${layout} state dict failed: ${(err as Error).message}`, { cause: err });
      }
    })));
    const kept = new Set(tensors.values());
    const rawValues = new Set(raw.values());
    for (const t of kept) if (!rawValues.has(t)) created.add(t); // made by the mapper
    for (const t of rawValues) {
      if (owned && !kept.has(t)) {
        t.dispose(); // read by us, replaced by the mapper (e.g. q/k/v fused into qkv)
        created.delete(t);
      }
    }
    // what the layout left out on purpose (optimizer state, a text tower) is named as a wrapper
    const wrappers = [...unwrap.wrappers, ...layoutWrappers(layout, raw.keys())];
    return { tensors, layout, wrappers, strippedPrefixes: unwrap.strippedPrefixes, numHeads, dispose: disposeCreated };
  } catch (err) {
    disposeCreated();
    throw err;
  }
}
