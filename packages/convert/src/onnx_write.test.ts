import { describe, expect, it } from 'vitest';
import { OnnxGraphBuilder } from './onnx_graph';
import { decodeOnnxModel, encodeOnnxModel } from './onnx_proto';
import { encodeLazyOnnxModel, onnxPieces, type LazyOnnxModel } from './onnx_write';

/** A graph with a weight big enough that every length prefix takes three varint bytes. */
function graph(reads: string[], big = 5000) {
  const g = new OnnxGraphBuilder();
  const w = Float32Array.from({ length: big }, (_, i) => Math.sin(i));
  const x = g.input('x', ['batch', big]);
  const y = g.op('Mul', [x, g.floats('w', [1, big], () => (reads.push('w'), w))], {}, 'scale');
  const z = g.op('Add', [y, g.scalar('b', 0.5)], {}, 'shift');
  g.output(g.op('Reshape', [z, g.int64s([0, -1])]), 'out', ['batch', big]);
  const model: LazyOnnxModel = { irVersion: 8, producerName: 'test', opsetImport: [{ domain: '', version: 17 }], graph: g.graph('g') };
  return model;
}

describe('onnxPieces', () => {
  it('frames the model so protobuf reads what the one-shot encoder writes (3-byte length prefixes)', () => {
    const lazy = graph([]);
    const eager = { ...lazy, graph: { ...lazy.graph, initializer: lazy.graph.initializer.map(({ read, byteLength: _, ...t }) => ({ ...t, rawData: read() })) } };
    const streamed = encodeLazyOnnxModel(lazy);
    expect(streamed.byteLength).toBe(onnxPieces(lazy).byteLength);
    expect(streamed.byteLength).toBeGreaterThan(20000);
    const got = decodeOnnxModel(streamed);
    expect(got).toEqual(decodeOnnxModel(new Uint8Array(encodeOnnxModel(eager))));
    expect(got.graph.initializer.map((t) => t.name)).toEqual(['w', 'b', 'const_i64_0_m1']);
    const w = got.graph.initializer[0];
    expect(w.dims).toEqual([1, 5000]);
    const values = new Float32Array(w.rawData.slice().buffer);
    expect(values[1]).toBeCloseTo(Math.sin(1), 7);
    expect(values[4999]).toBeCloseTo(Math.sin(4999), 7);
  });

  it('reads each weight once, only when the pieces reach it', () => {
    const reads: string[] = [];
    const { pieces } = onnxPieces(graph(reads));
    expect(reads).toEqual([]);
    const it = pieces();
    for (let i = 0; i < 3; i++) it.next(); // model fields, graph prefix, nodes
    expect(reads).toEqual([]);
    it.next(); // w's framing
    expect(reads).toEqual([]);
    it.next(); // w's bytes
    expect(reads).toEqual(['w']);
    for (let r = it.next(); !r.done; r = it.next());
    expect(reads).toEqual(['w']);
  });

  it('tiny graphs (one-byte prefixes) round trip too', () => {
    const got = decodeOnnxModel(encodeLazyOnnxModel(graph([], 3)));
    expect(got.graph.node.map((n) => n.opType)).toEqual(['Mul', 'Add', 'Reshape', 'Identity']);
    expect(Array.from(new Float32Array(got.graph.initializer[1].rawData.slice().buffer))).toEqual([0.5]);
  });

  it('a weight that reads the wrong number of values fails naming it', () => {
    const g = new OnnxGraphBuilder();
    g.floats('odd', [2, 3], () => new Float32Array(5));
    const model: LazyOnnxModel = { irVersion: 8, opsetImport: [{ version: 17 }], graph: g.graph('g') };
    expect(() => encodeLazyOnnxModel(model)).toThrow(/odd: expected 6 values for \[2, 3\], got 5/);
  });
});
