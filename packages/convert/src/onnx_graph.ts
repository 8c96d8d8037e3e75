// A small builder for ONNX graphs: nodes with unique names, float/int64 initializers, typed
// attributes. Used by the ViT exporter; knows nothing about ViTs.
import { OnnxAttributeType, OnnxDataType, type OnnxAttribute, type OnnxNode, type OnnxValueInfo } from './onnx_proto';

/**
 * An initializer whose bytes are read only when the model is written (`read()`, once), so an
 * export never holds a second copy of every weight: a tensor is read, written and let go.
 */
export interface LazyInitializer {
  name: string;
  dims: number[];
  dataType: number;
  byteLength: number;
  read: () => Uint8Array;
}

/** A GraphProto whose initializers are read while it is written. */
export interface LazyGraph {
  name: string;
  node: OnnxNode[];
  initializer: LazyInitializer[];
  input: OnnxValueInfo[];
  output: OnnxValueInfo[];
}

const asBytes = (v: Float32Array | BigInt64Array) => new Uint8Array(v.buffer, v.byteOffset, v.byteLength);

/** An attribute value: number → INT (or FLOAT with `float()`), number[] → INTS, string → STRING. */
export type AttrValue = number | number[] | string | { float: number };

/** Marks a number as a FLOAT attribute. */
export const float = (v: number): { float: number } => ({ float: v });

function attribute(name: string, v: AttrValue): OnnxAttribute {
  if (typeof v === 'number') return { name, type: OnnxAttributeType.INT, i: v };
  if (typeof v === 'string') return { name, type: OnnxAttributeType.STRING, s: new TextEncoder().encode(v) };
  if (Array.isArray(v)) return { name, type: OnnxAttributeType.INTS, ints: v };
  return { name, type: OnnxAttributeType.FLOAT, f: v.float };
}

/**
 * Accumulates nodes and initializers; `op` returns the output name so graphs read as expressions.
 *
 * @example
 * ```ts
 * const g = new OnnxGraphBuilder();
 * const y = g.op('Add', [g.input('x', [1, 3]), g.floats('b', [3], new Float32Array([1, 2, 3]))]);
 * ```
 */
export class OnnxGraphBuilder {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: LazyInitializer[] = [];
  readonly inputs: OnnxValueInfo[] = [];
  readonly outputs: OnnxValueInfo[] = [];
  private counts = new Map<string, number>();
  private names = new Set<string>();
  private int64Cache = new Map<string, string>();

  /** A fresh name from `base` (`base`, `base_1`, …). */
  fresh(base: string): string {
    let name = base;
    while (this.names.has(name)) {
      const k = (this.counts.get(base) ?? 0) + 1;
      this.counts.set(base, k);
      name = `${base}_${k}`;
    }
    this.names.add(name);
    return name;
  }

  /** Adds a node; returns its (first) output. `name` prefixes the output for readable graphs. */
  op(opType: string, input: string[], attrs: Record<string, AttrValue> = {}, name = opType): string {
    return this.opN(opType, input, 1, attrs, name)[0];
  }

  /** Adds a node with `numOutputs` outputs. */
  opN(opType: string, input: string[], numOutputs: number, attrs: Record<string, AttrValue> = {}, name = opType): string[] {
    const output = Array.from({ length: numOutputs }, (_, i) => this.fresh(numOutputs > 1 ? `${name}_out${i}` : `${name}_out`));
    this.nodes.push({
      name: this.fresh(`${name}_node`),
      opType,
      input,
      output,
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    });
    return output;
  }

  /**
   * A float32 initializer of `dims`: its values, or a function that reads them when the graph is
   * written (what a weight uses, so it is never held twice). Values are not copied: they must stay
   * unchanged until the graph is written.
   */
  floats(name: string, dims: readonly number[], values: Float32Array | (() => Float32Array)): string {
    const n = this.fresh(name);
    const count = dims.reduce((a, b) => a * b, 1);
    const read = () => {
      const v = typeof values === 'function' ? values() : values;
      if (v.length !== count) throw new RangeError(`ONNX initializer ${n}: expected ${count} values for [${dims.join(', ')}], got ${v.length}`);
      return asBytes(v);
    };
    this.initializers.push({ name: n, dims: [...dims], dataType: OnnxDataType.FLOAT, byteLength: count * 4, read });
    return n;
  }

  /** A float32 scalar initializer. */
  scalar(name: string, value: number): string {
    return this.floats(name, [], new Float32Array([value]));
  }

  /** An int64 initializer (shared when the same values repeat). `dims` [] makes a scalar. */
  int64s(values: readonly number[], dims: readonly number[] = [values.length]): string {
    const key = `${dims.join('x')}:${values.join(',')}`;
    const hit = this.int64Cache.get(key);
    if (hit) return hit;
    const n = this.fresh(`const_i64_${values.join('_').replace(/-/g, 'm').slice(0, 24)}`);
    const bytes = asBytes(new BigInt64Array(values.map((v) => BigInt(v))));
    this.initializers.push({ name: n, dims: [...dims], dataType: OnnxDataType.INT64, byteLength: bytes.byteLength, read: () => bytes });
    this.int64Cache.set(key, n);
    return n;
  }

  /** Declares a float32 graph input; string dims are symbolic. */
  input(name: string, dims: readonly (number | string)[]): string {
    this.names.add(name);
    this.inputs.push(valueInfo(name, dims));
    return name;
  }

  /** Renames `value` to `name` with an Identity and declares it a float32 graph output. */
  output(value: string, name: string, dims: readonly (number | string)[]): void {
    this.names.add(name);
    this.nodes.push({ name: this.fresh(`${name}_node`), opType: 'Identity', input: [value], output: [name], attribute: [] });
    this.outputs.push(valueInfo(name, dims));
  }

  /** The finished GraphProto (initializers still unread). */
  graph(name: string): LazyGraph {
    return { name, node: this.nodes, initializer: this.initializers, input: this.inputs, output: this.outputs };
  }
}

function valueInfo(name: string, dims: readonly (number | string)[]): OnnxValueInfo {
  return {
    name,
    type: {
      tensorType: {
        elemType: OnnxDataType.FLOAT,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}
