// Serialises an ONNX ModelProto in pieces: the small parts (model fields, nodes, each tensor's
// name and dims) encoded by protobufjs, each weight's bytes read only when its turn comes. A
// message's length prefix is known from the weights' sizes alone, so nothing is held twice.
import type { LazyGraph, LazyInitializer } from './onnx_graph';
import { modelProtoType, type OnnxModel } from './onnx_proto';

/** A ModelProto whose initializers are read while it is written. */
export interface LazyOnnxModel extends Omit<OnnxModel, 'graph'> {
  graph: LazyGraph;
}

/** The pieces of an encoded model, in file order, and their total size. */
export interface OnnxPieces {
  byteLength: number;
  /** Yields the bytes in order; each initializer is read as it is reached. */
  pieces(): Generator<Uint8Array>;
}

function varint(n: number): number[] {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  out.push(n);
  return out;
}

/** A length-delimited field's key and length: `(field << 3) | 2`, then the length as a varint. */
const lengthPrefix = (field: number, length: number) => [...varint((field << 3) | 2), ...varint(length)];

// Field numbers in onnx.proto3: ModelProto.graph, GraphProto.initializer, TensorProto.raw_data.
const MODEL_GRAPH = 7;
const GRAPH_INITIALIZER = 5;
const TENSOR_RAW_DATA = 9;

function encoder(typeName: string): (value: object) => Uint8Array {
  const type = modelProtoType().root.lookupType(typeName);
  return (value) => type.encode(type.fromObject(value)).finish();
}

/**
 * The model's protobuf bytes as pieces. Protobuf lets a message's fields come in any order and
 * repeated fields accumulate, so the graph's nodes and inputs come first and its initializers
 * after — one framed TensorProto each, ending in its raw data.
 *
 * @example
 * ```ts
 * const { byteLength, pieces } = onnxPieces(model);
 * for (const bytes of pieces()) fs.writeSync(fd, bytes);
 * ```
 */
export function onnxPieces(model: LazyOnnxModel): OnnxPieces {
  const { graph, ...fields } = model;
  const { initializer, ...graphFields } = graph;
  const head = encoder('onnx.ModelProto')(fields);
  const graphHead = encoder('onnx.GraphProto')(graphFields);
  const tensorHead = encoder('onnx.TensorProto');
  const framed = initializer.map((t: LazyInitializer) => {
    const header = tensorHead({ dims: t.dims, dataType: t.dataType, name: t.name });
    const raw = lengthPrefix(TENSOR_RAW_DATA, t.byteLength);
    const size = header.length + raw.length + t.byteLength;
    const prefix = new Uint8Array([...lengthPrefix(GRAPH_INITIALIZER, size), ...header, ...raw]);
    return { prefix, t };
  });
  const graphLength = framed.reduce((n, f) => n + f.prefix.length + f.t.byteLength, graphHead.length);
  const graphPrefix = new Uint8Array(lengthPrefix(MODEL_GRAPH, graphLength));
  return {
    byteLength: head.length + graphPrefix.length + graphLength,
    *pieces() {
      yield head;
      yield graphPrefix;
      yield graphHead;
      for (const { prefix, t } of framed) {
        yield prefix;
        const bytes = t.read();
        if (bytes.byteLength !== t.byteLength) throw new RangeError(`ONNX initializer ${t.name}: ${bytes.byteLength} bytes, expected ${t.byteLength}`);
        yield bytes;
      }
    },
  };
}

/**
 * All of a model's bytes in one buffer.
 *
 * @example
 * ```ts
 * const bytes = encodeLazyOnnxModel(model);
 * ```
 */
export function encodeLazyOnnxModel(model: LazyOnnxModel): Uint8Array {
  const { byteLength, pieces } = onnxPieces(model);
  const out = new Uint8Array(byteLength);
  let at = 0;
  for (const p of pieces()) {
    out.set(p, at);
    at += p.byteLength;
  }
  if (at !== byteLength) throw new RangeError(`ONNX encoding: wrote ${at} bytes, planned ${byteLength}`);
  return out;
}
