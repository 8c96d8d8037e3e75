// Unwrapping a training checkpoint down to its state dict, as timm's `load_state_dict` does:
// pick the `state_dict_ema` / `model_ema` / `state_dict` / `model` entry, then strip the
// `module.` (DataParallel/DDP) and `_orig_mod.` (torch.compile) prefixes. Keys are the readers'
// flattened keys (`model.module.head.weight`).

/** The wrapper entries timm looks for, in its order of preference (EMA first when `useEma`). */
export const STATE_DICT_WRAPPERS = ['state_dict_ema', 'model_ema', 'state_dict', 'model'] as const;

/** Key prefixes timm's `clean_state_dict` removes. */
export const STRIPPED_PREFIXES = ['module.', '_orig_mod.'] as const;

/** Options of {@link unwrapKeys}. */
export interface UnwrapOptions {
  /** Prefer `state_dict_ema` / `model_ema` when present (default true, as timm's `load_checkpoint`). */
  useEma?: boolean;
}

/** What {@link unwrapKeys} found: state-dict key → checkpoint key, and what it removed. */
export interface UnwrappedKeys {
  /** State-dict key (wrapper and prefixes removed) → the checkpoint's flattened key. */
  keys: Map<string, string>;
  /** The wrapper entries taken, outermost first (e.g. `['model']`); empty for a bare state dict. */
  wrappers: string[];
  /** The prefixes removed from at least one key (e.g. `['module.']`). */
  strippedPrefixes: string[];
}

function chooseWrapper(keys: readonly string[], useEma: boolean): string | null {
  for (const w of STATE_DICT_WRAPPERS) {
    if (!useEma && w.endsWith('_ema')) continue;
    if (keys.some((k) => k.startsWith(`${w}.`))) return w;
  }
  return null;
}

/**
 * Maps the flattened keys of a checkpoint to state-dict keys: descends into the wrapper entry
 * (repeatedly, for `{'model': {'state_dict': ...}}`), drops everything outside it (optimizer,
 * epoch, ...), and strips `module.` / `_orig_mod.` prefixes.
 *
 * @example
 * unwrapKeys(['model.module.head.weight', 'optimizer.state.0.exp_avg']).keys;
 * // Map { 'head.weight' => 'model.module.head.weight' }
 */
export function unwrapKeys(checkpointKeys: Iterable<string>, options: UnwrapOptions = {}): UnwrappedKeys {
  const useEma = options.useEma ?? true;
  let current = [...checkpointKeys].map((k) => [k, k] as [string, string]);
  const wrappers: string[] = [];
  for (let depth = 0; depth < 3; depth++) {
    const w = chooseWrapper(current.map(([k]) => k), useEma);
    if (!w) break;
    wrappers.push(w);
    current = current.filter(([k]) => k.startsWith(`${w}.`)).map(([k, orig]) => [k.slice(w.length + 1), orig]);
  }
  const stripped = new Set<string>();
  const keys = new Map<string, string>();
  for (const [k, orig] of current) {
    let key = k;
    for (let again = true; again;) {
      again = false;
      for (const p of STRIPPED_PREFIXES) {
        if (key.startsWith(p)) {
          key = key.slice(p.length);
          stripped.add(p);
          again = true;
        }
      }
    }
    keys.set(key, orig);
  }
  return { keys, wrappers, strippedPrefixes: [...stripped] };
}
