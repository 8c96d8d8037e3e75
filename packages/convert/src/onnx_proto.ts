// The subset of ONNX's protobuf schema (onnx.proto3, IR version 8) that a ViT export needs, as a
// protobufjs JSON descriptor written from the ONNX specification, plus encode/decode helpers.
import protobuf from 'protobufjs/light.js';

/** ONNX TensorProto.DataType values used here (`tensor.dataType === OnnxDataType.FLOAT`). */
export const OnnxDataType = { FLOAT: 1, INT32: 6, INT64: 7, BOOL: 9, FLOAT16: 10 } as const;

/** ONNX AttributeProto.AttributeType values used here. */
export const OnnxAttributeType = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7 } as const;

const rep = (type: string, id: number) => ({ rule: 'repeated', type, id });

const SCHEMA = {
  nested: {
    onnx: {
      nested: {
        ModelProto: {
          fields: {
            irVersion: { type: 'int64', id: 1 },
            producerName: { type: 'string', id: 2 },
            producerVersion: { type: 'string', id: 3 },
            domain: { type: 'string', id: 4 },
            modelVersion: { type: 'int64', id: 5 },
            docString: { type: 'string', id: 6 },
            graph: { type: 'GraphProto', id: 7 },
            opsetImport: rep('OperatorSetIdProto', 8),
            metadataProps: rep('StringStringEntryProto', 14),
          },
        },
        OperatorSetIdProto: { fields: { domain: { type: 'string', id: 1 }, version: { type: 'int64', id: 2 } } },
        StringStringEntryProto: { fields: { key: { type: 'string', id: 1 }, value: { type: 'string', id: 2 } } },
        GraphProto: {
          fields: {
            node: rep('NodeProto', 1),
            name: { type: 'string', id: 2 },
            initializer: rep('TensorProto', 5),
            docString: { type: 'string', id: 10 },
            input: rep('ValueInfoProto', 11),
            output: rep('ValueInfoProto', 12),
            valueInfo: rep('ValueInfoProto', 13),
          },
        },
        NodeProto: {
          fields: {
            input: rep('string', 1),
            output: rep('string', 2),
            name: { type: 'string', id: 3 },
            opType: { type: 'string', id: 4 },
            attribute: rep('AttributeProto', 5),
            docString: { type: 'string', id: 6 },
            domain: { type: 'string', id: 7 },
          },
        },
        AttributeProto: {
          fields: {
            name: { type: 'string', id: 1 },
            f: { type: 'float', id: 2 },
            i: { type: 'int64', id: 3 },
            s: { type: 'bytes', id: 4 },
            t: { type: 'TensorProto', id: 5 },
            floats: rep('float', 7),
            ints: rep('int64', 8),
            type: { type: 'int32', id: 20 },
          },
        },
        TensorProto: {
          fields: {
            dims: rep('int64', 1),
            dataType: { type: 'int32', id: 2 },
            floatData: rep('float', 4),
            int32Data: rep('int32', 5),
            int64Data: rep('int64', 7),
            name: { type: 'string', id: 8 },
            rawData: { type: 'bytes', id: 9 },
            docString: { type: 'string', id: 12 },
          },
        },
        ValueInfoProto: {
          fields: { name: { type: 'string', id: 1 }, type: { type: 'TypeProto', id: 2 }, docString: { type: 'string', id: 3 } },
        },
        TypeProto: {
          oneofs: { value: { oneof: ['tensorType'] } },
          fields: { tensorType: { type: 'TypeProtoTensor', id: 1 }, denotation: { type: 'string', id: 6 } },
        },
        TypeProtoTensor: { fields: { elemType: { type: 'int32', id: 1 }, shape: { type: 'TensorShapeProto', id: 2 } } },
        TensorShapeProto: { fields: { dim: rep('Dimension', 1) } },
        Dimension: {
          oneofs: { value: { oneof: ['dimValue', 'dimParam'] } },
          fields: { dimValue: { type: 'int64', id: 1 }, dimParam: { type: 'string', id: 2 }, denotation: { type: 'string', id: 3 } },
        },
      },
    },
  },
};

let root: protobuf.Root | null = null;

/**
 * The `onnx.ModelProto` message type (built once).
 *
 * @example
 * ```ts
 * const msg = modelProtoType().decode(bytes);
 * ```
 */
export function modelProtoType(): protobuf.Type {
  root ??= protobuf.Root.fromJSON(SCHEMA as protobuf.INamespace);
  return root.lookupType('onnx.ModelProto');
}

/** A plain-object ModelProto (camelCase field names, int64s as numbers). */
export interface OnnxModel {
  irVersion: number;
  producerName?: string;
  producerVersion?: string;
  docString?: string;
  opsetImport: { domain?: string; version: number }[];
  graph: OnnxGraph;
  metadataProps?: { key: string; value: string }[];
}

/** A plain-object GraphProto. */
export interface OnnxGraph {
  name: string;
  node: OnnxNode[];
  initializer: OnnxTensor[];
  input: OnnxValueInfo[];
  output: OnnxValueInfo[];
}

/** A plain-object NodeProto. */
export interface OnnxNode {
  name?: string;
  opType: string;
  input: string[];
  output: string[];
  attribute?: OnnxAttribute[];
}

/** A plain-object AttributeProto. */
export interface OnnxAttribute {
  name: string;
  type: number;
  f?: number;
  i?: number;
  s?: Uint8Array;
  floats?: number[];
  ints?: number[];
}

/** A plain-object TensorProto (data in little-endian `rawData`). */
export interface OnnxTensor {
  name: string;
  dims: number[];
  dataType: number;
  rawData: Uint8Array;
}

/** A plain-object ValueInfoProto for a tensor; a string dim is symbolic (`'batch'`). */
export interface OnnxValueInfo {
  name: string;
  type: { tensorType: { elemType: number; shape: { dim: ({ dimValue: number } | { dimParam: string })[] } } };
}

/**
 * Serialises a model to ONNX protobuf bytes.
 *
 * @example
 * ```ts
 * const bytes = encodeOnnxModel({ irVersion: 8, opsetImport: [{ domain: '', version: 17 }], graph });
 * ```
 */
export function encodeOnnxModel(model: OnnxModel): Uint8Array {
  const type = modelProtoType();
  return type.encode(type.fromObject(model)).finish();
}

/**
 * Parses ONNX protobuf bytes back into a plain object (int64 as numbers, bytes as Uint8Array), for
 * inspection and tests.
 *
 * @example
 * ```ts
 * decodeOnnxModel(exportOnnx(vit)).graph.node.map((n) => n.opType);
 * ```
 */
export function decodeOnnxModel(bytes: Uint8Array): OnnxModel {
  const type = modelProtoType();
  return type.toObject(type.decode(bytes), { longs: Number, defaults: false, arrays: true }) as OnnxModel;
}
