// The optimizer base: parameter groups with their own lr / weight decay / lr scale, per-parameter
// state keyed by parameter name (so it survives a checkpoint), and a state dict. torch.optim's model.
import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError } from '@tfjs-vit/ops';

/** A variable with the name its state is saved under (a module path such as `blocks.0.attn.qkv.weight`). */
export interface NamedVariable {
  name: string;
  variable: tf.Variable;
}

/**
 * A parameter group as the caller gives it. Unset fields take the optimizer's defaults.
 * `lrScale` multiplies every learning rate set on the optimizer (timm's layer-decay `lr_scale`).
 */
export interface ParamGroup {
  params: ReadonlyArray<NamedVariable | tf.Variable>;
  lr?: number;
  weightDecay?: number;
  lrScale?: number;
}

/** A parameter group as the optimizer holds it: every field resolved. `lr` is the current rate. */
export interface ResolvedParamGroup {
  params: NamedVariable[];
  lr: number;
  weightDecay: number;
  lrScale: number;
}

/** What `stateDict()` returns: the state tensors (caller owns them) and JSON-able bookkeeping. */
export interface OptimizerState {
  tensors: Map<string, tf.Tensor>;
  meta: { type: string; groups: { lr: number; weightDecay: number; lrScale: number; params: string[] }[]; steps: Record<string, number> };
}

/** Per-parameter state: a step count and named slot variables (exp_avg, momentum_buffer, …). */
export interface ParamState {
  step: number;
  slots: Map<string, tf.Variable>;
}

/** A module's named parameters (what `Module.namedParameters()` returns). */
export interface ParameterOwner {
  namedParameters(): [string, { variable: tf.Variable; trainable: boolean }][];
}

/**
 * Anything the optimizers accept as parameters: groups, a flat list of (named) variables, or a
 * module (its trainable parameters under their state-dict names). Unnamed variables are saved
 * under their position (`"0"`, `"1"`, … across groups, as torch numbers them), so a state dict
 * reloads into a fresh optimizer built the same way.
 */
export type ParamsInput = ReadonlyArray<ParamGroup> | ReadonlyArray<NamedVariable | tf.Variable> | ParameterOwner;

function isGroup(x: unknown): x is ParamGroup {
  return typeof x === 'object' && x !== null && 'params' in x;
}

function toGroups(params: ParamsInput): ParamGroup[] {
  if (!Array.isArray(params)) {
    const owner = params as ParameterOwner;
    return [{ params: owner.namedParameters().filter(([, p]) => p.trainable).map(([name, p]) => ({ name, variable: p.variable })) }];
  }
  const list = params as ReadonlyArray<ParamGroup | NamedVariable | tf.Variable>;
  return list.length > 0 && isGroup(list[0]) ? (list as ParamGroup[]) : [{ params: list as (NamedVariable | tf.Variable)[] }];
}

/**
 * Base of AdamW and SGD. `step(grads)` takes gradients keyed by `variable.name` (what
 * `tf.variableGrads` returns). Parameters without a gradient, or frozen (`trainable === false`),
 * are skipped and get no state, as in PyTorch where `p.grad is None`.
 *
 * @example
 * ```ts
 * const opt = new AdamW(paramGroupsWeightDecay(model, 0.05), { lr: 1e-3 });
 * const { value, grads } = tf.variableGrads(() => loss(), opt.variables());
 * opt.step(grads); tf.dispose([value, grads]);
 * ```
 */
export abstract class Optimizer {
  readonly paramGroups: ResolvedParamGroup[];
  protected readonly state = new Map<string, ParamState>();
  private readonly byVariableName = new Map<string, { group: ResolvedParamGroup; param: NamedVariable }>();
  /** Short name written into state dicts (`'AdamW'`, `'SGD'`). */
  abstract readonly type: string;

  constructor(params: ParamsInput, defaults: { lr: number; weightDecay: number }) {
    if (!(defaults.lr >= 0)) throw new ArgumentError(`lr: expected a number ≥ 0, got ${defaults.lr}`);
    const groups = toGroups(params);
    const seen = new Set<string>();
    let position = 0;
    const named = (p: NamedVariable | tf.Variable): NamedVariable => {
      const index = position++;
      return p instanceof tf.Variable ? { name: String(index), variable: p } : p;
    };
    this.paramGroups = groups.map((g) => {
      const lrScale = g.lrScale ?? 1;
      const group: ResolvedParamGroup = {
        params: g.params.map(named),
        lr: g.lr ?? defaults.lr * lrScale,
        weightDecay: g.weightDecay ?? defaults.weightDecay,
        lrScale,
      };
      for (const p of group.params) {
        if (seen.has(p.name)) throw new ArgumentError(`parameter "${p.name}" is given twice (names must be unique across groups)`);
        seen.add(p.name);
        this.byVariableName.set(p.variable.name, { group, param: p });
      }
      return group;
    });
  }

  /** Every variable this optimizer may update that is trainable now (pass to `tf.variableGrads`). */
  variables(): tf.Variable[] {
    return this.paramGroups.flatMap((g) => g.params.map((p) => p.variable)).filter((v) => v.trainable);
  }

  /** Sets the learning rate of every group to `lr × group.lrScale` (what timm's schedulers do). */
  setLearningRate(lr: number): void {
    for (const g of this.paramGroups) g.lr = lr * g.lrScale;
  }

  /** The learning rate of the first group divided by its scale: the schedule's current value. */
  get learningRate(): number {
    const g = this.paramGroups[0];
    return g ? g.lr / g.lrScale : 0;
  }

  /** Applies one update. `grads` is keyed by `variable.name`; it is not disposed. */
  step(grads: tf.NamedTensorMap | Map<string, tf.Tensor>): void {
    const entries = grads instanceof Map ? [...grads.entries()] : Object.entries(grads);
    for (const [varName, grad] of entries) {
      const hit = this.byVariableName.get(varName);
      if (!hit || !hit.param.variable.trainable) continue;
      let st = this.state.get(hit.param.name);
      if (!st) {
        st = { step: 0, slots: new Map() };
        this.state.set(hit.param.name, st);
      }
      st.step += 1;
      this.update(hit.param.variable, grad, hit.group, st);
    }
  }

  /** Updates one parameter in place; `state.step` is already incremented. */
  protected abstract update(param: tf.Variable, grad: tf.Tensor, group: ResolvedParamGroup, state: ParamState): void;

  /** The slot `name` of a parameter, created as zeros like `param` on first use. */
  protected slot(state: ParamState, name: string, like: tf.Tensor, init?: () => tf.Tensor): tf.Variable {
    let v = state.slots.get(name);
    if (!v) {
      const value = init ? init() : tf.zerosLike(like);
      v = tf.variable(value, false);
      value.dispose(); // the variable holds its own reference to the data
      state.slots.set(name, v);
    }
    return v;
  }

  /** Names of parameters that have state (those that received at least one gradient). */
  statefulParams(): string[] {
    return [...this.state.keys()];
  }

  /** A copy of the optimizer state: tensors `<param>.<slot>` (caller disposes) and JSON meta. */
  stateDict(): OptimizerState {
    const tensors = new Map<string, tf.Tensor>();
    const steps: Record<string, number> = {};
    for (const [name, st] of this.state) {
      steps[name] = st.step;
      for (const [slot, v] of st.slots) tensors.set(`${name}.${slot}`, tf.clone(v));
    }
    const groups = this.paramGroups.map((g) => ({ lr: g.lr, weightDecay: g.weightDecay, lrScale: g.lrScale, params: g.params.map((p) => p.name) }));
    return { tensors, meta: { type: this.type, groups, steps } };
  }

  /** Restores a state from `stateDict()`. Group hyper-parameters are restored by position. Tensors are not disposed. */
  loadStateDict(state: OptimizerState): void {
    if (state.meta.type !== this.type) throw new ArgumentError(`optimizer state: expected type ${this.type}, got ${state.meta.type}`);
    if (state.meta.groups.length !== this.paramGroups.length) {
      throw new ArgumentError(`optimizer state: expected ${this.paramGroups.length} param groups, got ${state.meta.groups.length}`);
    }
    state.meta.groups.forEach((g, i) => {
      const mine = this.paramGroups[i].params.map((p) => p.name);
      if (g.params.length !== mine.length || g.params.some((n, j) => n !== mine[j])) {
        const diff = g.params.find((n) => !mine.includes(n)) ?? mine.find((n) => !g.params.includes(n)) ?? '(order)';
        throw new ArgumentError(`optimizer state: group ${i} expected parameters [${mine.slice(0, 4).join(', ')}…] (${mine.length}), got ${g.params.length}; first difference: ${diff}`);
      }
    });
    const known = new Set(this.paramGroups.flatMap((g) => g.params.map((p) => p.name)));
    for (const name of Object.keys(state.meta.steps)) {
      if (!known.has(name)) throw new ArgumentError(`optimizer state: parameter "${name}" is not in this optimizer`);
    }
    this.resetState();
    state.meta.groups.forEach((g, i) => Object.assign(this.paramGroups[i], { lr: g.lr, weightDecay: g.weightDecay, lrScale: g.lrScale }));
    for (const [name, step] of Object.entries(state.meta.steps)) this.state.set(name, { step, slots: new Map() });
    for (const [key, t] of state.tensors) {
      const dot = key.lastIndexOf('.');
      const st = this.state.get(key.slice(0, dot));
      if (!st) throw new ArgumentError(`optimizer state: tensor "${key}" has no step entry`);
      st.slots.set(key.slice(dot + 1), tf.variable(t, false));
    }
  }

  /** Drops all per-parameter state (freeing its tensors). */
  resetState(): void {
    for (const st of this.state.values()) for (const v of st.slots.values()) v.dispose();
    this.state.clear();
  }

  /** Frees the optimizer's state. The parameters belong to the model and are not touched. */
  dispose(): void {
    this.resetState();
  }
}
