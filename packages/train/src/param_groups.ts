// Parameter groups as timm builds them: no weight decay for 1-D / bias / listed parameters
// (param_groups_weight_decay), and layer-wise lr decay for ViTs (param_groups_layer_decay, from BEiT).
import type { Parameter } from '@tfjs-vit/layers';
import { ArgumentError } from '@tfjs-vit/ops';
import type { ParamGroup } from './optimizer';

/** What the group builders read of a model: its named parameters and, optionally, its no-decay names. */
export interface NamedParameterSource {
  namedParameters(): [string, Parameter][];
  noWeightDecay?(): Iterable<string>;
}

/** A parameter group that remembers its parameter names (handy for logging and tests). */
export type NamedParamGroup = ParamGroup & { weightDecay: number; lrScale: number; names: string[] };

function trainableNamed(model: NamedParameterSource) {
  return model.namedParameters().filter(([, p]) => p.trainable);
}

function skipSet(model: NamedParameterSource, skipList: Iterable<string>): Set<string> {
  return new Set([...skipList, ...(model.noWeightDecay?.() ?? [])]);
}

/**
 * timm's `param_groups_weight_decay`: two groups, no decay (every parameter of rank ≤ 1, names
 * ending in `.bias`, names in `skipList` or in `model.noWeightDecay()`) and decay (the rest).
 * Frozen parameters are left out, as timm leaves out those without `requires_grad`.
 *
 * @example
 * ```ts
 * const opt = new AdamW(paramGroupsWeightDecay(vit, 0.05), { lr: 1e-3 });
 * ```
 */
export function paramGroupsWeightDecay(model: NamedParameterSource, weightDecay = 1e-5, skipList: Iterable<string> = []): NamedParamGroup[] {
  const skip = skipSet(model, skipList);
  const decay: NamedParamGroup = { params: [], names: [], weightDecay, lrScale: 1 };
  const noDecay: NamedParamGroup = { params: [], names: [], weightDecay: 0, lrScale: 1 };
  for (const [name, p] of trainableNamed(model)) {
    const g = p.shape.length <= 1 || name.endsWith('.bias') || skip.has(name) ? noDecay : decay;
    (g.params as { name: string; variable: Parameter['variable'] }[]).push({ name, variable: p.variable });
    g.names.push(name);
  }
  return [noDecay, decay].filter((g) => g.params.length > 0);
}

/**
 * The layer id of a ViT parameter for layer-wise lr decay, as timm's ViT `group_matcher`:
 * `cls_token`, `reg_token`, `pos_embed`, `patch_embed.*` → 0; `blocks.i.*` → i + 1; the rest
 * (final norm, head) → `depth + 1`.
 *
 * @example
 * ```ts
 * vitLayerId('blocks.3.attn.qkv.weight', 12); // 4
 * ```
 */
export function vitLayerId(name: string, depth: number): number {
  if (/^(cls_token|reg_token|pos_embed|patch_embed)/.test(name)) return 0;
  const m = /^blocks\.(\d+)\./.exec(name);
  if (m) return Number(m[1]) + 1;
  return depth + 1;
}

/** Options of `paramGroupsLayerDecay`. */
export interface LayerDecayOptions {
  /** Decay for parameters of rank ≥ 2 not in the skip list (default 0.05). */
  weightDecay?: number;
  /** Per-layer lr factor (default 0.75, timm's ViT fine-tuning value). */
  layerDecay?: number;
  /** Extra names without weight decay (added to `model.noWeightDecay()`). */
  skipList?: Iterable<string>;
  /** Number of transformer blocks; default: one more than the largest `blocks.i` index. */
  depth?: number;
  /** Maps a parameter name to its layer id in [0, depth + 1]; default `vitLayerId`. */
  layerId?: (name: string, depth: number) => number;
  /** Lower bound of the lr scale (timm's `min_scale`, default 0). */
  minScale?: number;
}

/**
 * timm's `param_groups_layer_decay` for ViTs: parameters grouped by (layer, decay/no-decay), each
 * group with `lrScale = layerDecay ** (depth + 1 − layerId)` — the head trains at the full rate,
 * the patch embedding at `layerDecay ** (depth + 1)`. Rank ≤ 1 and skip-listed names get no decay.
 *
 * @example
 * ```ts
 * const opt = new AdamW(paramGroupsLayerDecay(vit, { layerDecay: 0.75 }), { lr: 5e-4 });
 * scheduler-driven: opt.setLearningRate(lr) sets each group's lr to lr × lrScale.
 * ```
 */
export function paramGroupsLayerDecay(model: NamedParameterSource, options: LayerDecayOptions = {}): NamedParamGroup[] {
  const weightDecay = options.weightDecay ?? 0.05;
  const layerDecay = options.layerDecay ?? 0.75;
  const layerId = options.layerId ?? vitLayerId;
  const params = trainableNamed(model);
  const depth = options.depth ?? inferDepth(model.namedParameters().map(([n]) => n));
  const skip = skipSet(model, options.skipList ?? []);
  const layerMax = depth + 1;
  const groups = new Map<string, NamedParamGroup>();
  for (const [name, p] of params) {
    const id = layerId(name, depth);
    if (!(id >= 0 && id <= layerMax)) throw new ArgumentError(`${name}: layer id ${id} outside [0, ${layerMax}]`);
    const noDecay = p.shape.length <= 1 || skip.has(name);
    const key = `layer_${id}_${noDecay ? 'no_decay' : 'decay'}`;
    let g = groups.get(key);
    if (!g) {
      const lrScale = Math.max(options.minScale ?? 0, layerDecay ** (layerMax - id));
      g = { params: [], names: [], weightDecay: noDecay ? 0 : weightDecay, lrScale };
      groups.set(key, g);
    }
    (g.params as { name: string; variable: Parameter['variable'] }[]).push({ name, variable: p.variable });
    g.names.push(name);
  }
  return [...groups.values()];
}

function inferDepth(names: string[]): number {
  let depth = 0;
  for (const n of names) {
    const m = /^blocks\.(\d+)\./.exec(n);
    if (m) depth = Math.max(depth, Number(m[1]) + 1);
  }
  return depth;
}
