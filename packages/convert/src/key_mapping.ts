// The one rule every source mapper follows: a checkpoint key the mapper did not use is never
// dropped — it passes through under its own name, so a strict load reports it (with its shape) as
// unexpected, `strict: false` lists it, and `tfjs-vit info` prints it.
import type * as tf from '@tensorflow/tfjs-core';
import { CheckpointError } from './errors';

/** What a mapper made of a state dict: timm-keyed tensors, and the source keys it used for them. */
export interface KeyMapping {
  tensors: Map<string, tf.Tensor>;
  /** Source keys the mapping used (renamed, fused, converted, or deliberately left out). */
  consumed: ReadonlySet<string>;
}

/**
 * A source layout's mapper (`MAPPERS` in timm_state_dict.ts, a group's `map` in timm_stream.ts).
 * Returning `{ tensors, consumed }` opts into the rule: every source key not in `consumed` is
 * passed through by the caller (list keys dropped on purpose, e.g. a text tower, in `consumed`).
 * A mapper that returns a plain Map must pass unknown keys through itself (the rename-rule mappers
 * do: a key no rule matches keeps its name).
 */
export type StateDictMapper = (stateDict: ReadonlyMap<string, tf.Tensor>) => ReadonlyMap<string, tf.Tensor> | KeyMapping;

/**
 * Runs `mapper` on `stateDict`; when it returns `{ tensors, consumed }`, adds every source key it
 * did not consume, unchanged, under its own name. A left-over key whose name the mapping already
 * produced is a `CheckpointError` (both would claim one parameter). Pass-through tensors are the
 * caller's own objects.
 *
 * @example
 * const sd = mapKeepingUnknown(jaxKeyMapping, tensors);
 * sd.get('Transformer/some_new_layer/kernel'); // passed through: a strict load reports it as unexpected
 */
export function mapKeepingUnknown(mapper: StateDictMapper, stateDict: ReadonlyMap<string, tf.Tensor>): Map<string, tf.Tensor> {
  const result = mapper(stateDict);
  if (!('consumed' in result)) return result instanceof Map ? result : new Map(result);
  const { tensors, consumed } = result;
  for (const [key, t] of stateDict) {
    if (consumed.has(key)) continue;
    if (tensors.has(key)) {
      throw new CheckpointError('CHECKPOINT_ARCH_MISMATCH', `checkpoint key ${key} [${t.shape.join(', ')}] is not one the mapping knows, but the mapping also produced ${key} from other keys; refusing to pick one`);
    }
    tensors.set(key, t);
  }
  return tensors;
}
