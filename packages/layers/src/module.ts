// Module: the base of every layer. A module's parameter paths ARE timm's state-dict keys
// (`blocks.0.attn.qkv.weight`), so loading a checkpoint is a lookup, not a rename table.
import * as tf from '@tensorflow/tfjs-core';
import { fmtShape, TfjsVitError } from '@tfjs-vit/ops';

/**
 * How a parameter is stored versus how the state dict (timm / PyTorch) lays it out. Layers store
 * weights in the layout their fastest kernel wants (a Linear keeps `[in, out]` because a plain
 * 2-D matMul is ~10x faster than a transposeB one on wasm) and convert at this boundary.
 */
export interface ParameterLayout {
  /** State-dict layout → stored layout. Returns a new tensor. */
  fromState(t: tf.Tensor): tf.Tensor;
  /** Stored layout → state-dict layout. Returns a new tensor. */
  toState(t: tf.Tensor): tf.Tensor;
  /** The state-dict shape of a parameter whose stored shape is `shape`. */
  stateShape(shape: readonly number[]): number[];
}

/** Stored exactly as in the state dict. */
export const IDENTITY_LAYOUT: ParameterLayout = {
  fromState: (t) => t.clone(),
  toState: (t) => t.clone(),
  stateShape: (shape) => [...shape],
};

/**
 * Stored as the state-dict tensor transposed by `perm` (stored = transpose(state, perm)).
 * `permutedLayout([1, 0])` is a Linear weight; `permutedLayout([2, 3, 1, 0])` turns PyTorch's
 * OIHW conv kernel into tfjs' HWIO.
 */
export function permutedLayout(perm: readonly number[]): ParameterLayout {
  const inverse = new Array<number>(perm.length);
  perm.forEach((p, i) => (inverse[p] = i));
  return {
    fromState: (t) => tf.transpose(t, [...perm]),
    toState: (t) => tf.transpose(t, inverse),
    stateShape: (shape) => inverse.map((i) => shape[i]),
  };
}

/** A learnable (or, for a buffer, persistent but not learnable) tensor owned by a module. */
export class Parameter {
  readonly variable: tf.Variable;
  readonly layout: ParameterLayout;
  /** Buffers (e.g. BatchNorm running stats) are in the state dict but not in `parameters()`. */
  readonly isBuffer: boolean;

  constructor(value: tf.Variable, layout: ParameterLayout = IDENTITY_LAYOUT, isBuffer = false) {
    this.variable = value;
    this.layout = layout;
    this.isBuffer = isBuffer;
  }

  /** Frozen parameters are skipped by `tf.variableGrads` and by optimizers. */
  get trainable(): boolean {
    return this.variable.trainable;
  }
  set trainable(flag: boolean) {
    this.variable.trainable = flag && !this.isBuffer;
  }

  /** The stored value (do not dispose it). */
  get value(): tf.Variable {
    return this.variable;
  }

  get shape(): number[] {
    return this.variable.shape;
  }

  get stateShape(): number[] {
    return this.layout.stateShape(this.variable.shape);
  }

  get size(): number {
    return this.variable.size;
  }
}

/** A key whose tensor's shape does not fit the module. */
export interface ShapeMismatch {
  key: string;
  expected: number[];
  got: number[];
}

/** What `loadStateDict` did, as PyTorch's `load_state_dict` reports it (plus shape mismatches). */
export interface LoadReport {
  missingKeys: string[];
  unexpectedKeys: string[];
  shapeMismatches: ShapeMismatch[];
}

/** A state dict could not be loaded (strict mode, or shapes that do not fit). Nothing was changed. */
export class StateDictError extends TfjsVitError {
  readonly report: LoadReport;
  constructor(message: string, report: LoadReport) {
    super('STATE_DICT', message);
    this.report = report;
  }
}

export type StateDict = Map<string, tf.Tensor> | Record<string, tf.Tensor>;

export interface LoadStateDictOptions {
  /**
   * true (default): any missing, unexpected or shape-mismatched key throws StateDictError before
   * anything is loaded. false: matching keys load, the rest are reported.
   */
  strict?: boolean;
}

/**
 * Base class of all layers: named parameters and child modules, state dicts in timm's names and
 * layouts, train/eval mode, freezing and disposal.
 *
 * @example
 * ```ts
 * class Scale extends Module {
 *   readonly gamma: Parameter;
 *   constructor(dim: number) {
 *     super();
 *     this.gamma = this.registerParameter('gamma', tf.ones([dim]));
 *   }
 *   forward(x: tf.Tensor) { return tf.mul(x, this.gamma.value); }
 * }
 * new Scale(4).stateDict(); // Map { 'gamma' => Tensor [4] }
 * ```
 */
export abstract class Module {
  /** Dropout and drop-path are active only in training mode (the default, as in PyTorch). */
  training = true;
  private readonly ownParams = new Map<string, Parameter>();
  private readonly childModules = new Map<string, Module>();

  /**
   * Adds a parameter under `name`, taking ownership of `init` (it is disposed: keep no reference).
   * `init` is in the stored layout.
   */
  protected registerParameter(name: string, init: tf.Tensor, layout: ParameterLayout = IDENTITY_LAYOUT): Parameter {
    return this.addParameter(name, new Parameter(own(init, true), layout));
  }

  /** Adds a persistent non-learnable tensor (in the state dict, never trained). Takes ownership of `init`. */
  protected registerBuffer(name: string, init: tf.Tensor, layout: ParameterLayout = IDENTITY_LAYOUT): Parameter {
    return this.addParameter(name, new Parameter(own(init, false), layout, true));
  }

  private addParameter(name: string, p: Parameter): Parameter {
    this.assertFreeName(name);
    this.ownParams.set(name, p);
    return p;
  }

  /** Adds (or, for an existing name, replaces and disposes) a child module under `name`. */
  registerModule<M extends Module>(name: string, module: M): M {
    if (this.ownParams.has(name)) throw new TfjsVitError('NAME', `"${name}" is already a parameter`);
    const old = this.childModules.get(name);
    if (old && old !== module) old.dispose();
    this.childModules.set(name, module);
    module.train(this.training);
    return module;
  }

  /** Removes a child module (disposing it) or a parameter; e.g. dropping a classifier head. */
  protected unregister(name: string): void {
    this.childModules.get(name)?.dispose();
    this.childModules.delete(name);
    this.ownParams.get(name)?.variable.dispose();
    this.ownParams.delete(name);
  }

  private assertFreeName(name: string): void {
    if (!name || name.includes('.')) throw new TfjsVitError('NAME', `invalid parameter name "${name}"`);
    if (this.ownParams.has(name) || this.childModules.has(name)) {
      throw new TfjsVitError('NAME', `"${name}" is already registered`);
    }
  }

  /** Direct children, in registration order. */
  children(): [string, Module][] {
    return [...this.childModules.entries()];
  }

  /** This module and every descendant with its dotted path ('' for this one). */
  namedModules(prefix = ''): [string, Module][] {
    const out: [string, Module][] = [[prefix, this]];
    for (const [name, child] of this.childModules) out.push(...child.namedModules(join(prefix, name)));
    return out;
  }

  /**
   * Every parameter (and buffer, with `includeBuffers`) with its state-dict key, in registration
   * order: own parameters first, then each child's.
   */
  namedParameters(prefix = '', options: { includeBuffers?: boolean } = {}): [string, Parameter][] {
    const out: [string, Parameter][] = [];
    for (const [name, p] of this.ownParams) {
      if (!p.isBuffer || options.includeBuffers) out.push([join(prefix, name), p]);
    }
    for (const [name, child] of this.childModules) out.push(...child.namedParameters(join(prefix, name), options));
    return out;
  }

  /** The learnable parameters (not buffers). */
  parameters(): Parameter[] {
    return this.namedParameters().map(([, p]) => p);
  }

  /** The variables of the parameters that are trainable now (what an optimizer updates). */
  trainableVariables(): tf.Variable[] {
    return this.parameters()
      .filter((p) => p.trainable)
      .map((p) => p.variable);
  }

  /** Number of learnable scalars (all, or only the trainable ones). */
  numParameters(options: { trainableOnly?: boolean } = {}): number {
    return this.parameters()
      .filter((p) => !options.trainableOnly || p.trainable)
      .reduce((n, p) => n + p.size, 0);
  }

  /** A new tensor per key, in timm's names and layouts. The caller owns (and disposes) them. */
  stateDict(): Map<string, tf.Tensor> {
    const out = new Map<string, tf.Tensor>();
    for (const [key, p] of this.namedParameters('', { includeBuffers: true })) {
      out.set(key, tf.tidy(() => p.layout.toState(p.variable)));
    }
    return out;
  }

  /**
   * Loads tensors given in timm's names and layouts. The dict's tensors are not disposed.
   * Everything is checked before anything is written, so a failed strict load changes nothing.
   */
  loadStateDict(dict: StateDict, options: LoadStateDictOptions = {}): LoadReport {
    const strict = options.strict ?? true;
    const entries = dict instanceof Map ? dict : new Map(Object.entries(dict));
    const own = new Map(this.namedParameters('', { includeBuffers: true }));
    const report: LoadReport = { missingKeys: [], unexpectedKeys: [], shapeMismatches: [] };
    const toLoad: [Parameter, tf.Tensor][] = [];
    for (const [key, p] of own) {
      const t = entries.get(key);
      if (!t) {
        report.missingKeys.push(key);
        continue;
      }
      const expected = p.stateShape;
      if (!sameShape(expected, t.shape)) {
        report.shapeMismatches.push({ key, expected, got: [...t.shape] });
        continue;
      }
      toLoad.push([p, t]);
    }
    for (const key of entries.keys()) if (!own.has(key)) report.unexpectedKeys.push(key);
    const bad = report.missingKeys.length + report.unexpectedKeys.length + report.shapeMismatches.length;
    if (strict && bad > 0) throw new StateDictError(describeReport(report), report);
    for (const [p, t] of toLoad) {
      tf.tidy(() => p.variable.assign(tf.cast(p.layout.fromState(t), p.variable.dtype)));
    }
    return report;
  }

  /** Sets training mode on this module and every descendant. Returns this. */
  train(mode = true): this {
    this.training = mode;
    for (const child of this.childModules.values()) child.train(mode);
    return this;
  }

  /** Evaluation mode: dropout and drop-path off. Returns this. */
  eval(): this {
    return this.train(false);
  }

  /** Marks every parameter trainable (or frozen with `false`). Returns this. */
  setTrainable(flag: boolean): this {
    for (const p of this.parameters()) p.trainable = flag;
    return this;
  }

  /** Frees every parameter of this module and its descendants. */
  dispose(): void {
    for (const p of this.ownParams.values()) p.variable.dispose();
    for (const child of this.childModules.values()) child.dispose();
    this.ownParams.clear();
    this.childModules.clear();
  }
}

/** A variable holding `init`'s value; `init` itself is disposed (the variable keeps the data alive). */
function own(init: tf.Tensor, trainable: boolean): tf.Variable {
  const v = tf.variable(init, trainable);
  init.dispose();
  return v;
}

function join(prefix: string, name: string): string {
  return prefix ? `${prefix}.${name}` : name;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** One line per problem, the first few of each kind, for error messages. */
export function describeReport(report: LoadReport): string {
  const lines: string[] = [];
  const few = (keys: string[]) => keys.slice(0, 8).join(', ') + (keys.length > 8 ? `, … (${keys.length} in all)` : '');
  if (report.missingKeys.length) lines.push(`missing keys: ${few(report.missingKeys)}`);
  if (report.unexpectedKeys.length) lines.push(`unexpected keys: ${few(report.unexpectedKeys)}`);
  for (const m of report.shapeMismatches.slice(0, 8)) {
    lines.push(`${m.key}: expected ${fmtShape(m.expected)}, got ${fmtShape(m.got)}`);
  }
  return lines.join('\n') || 'ok';
}
