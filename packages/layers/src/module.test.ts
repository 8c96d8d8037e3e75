import * as tf from '@tensorflow/tfjs-core';
import { describeBackends, expectClose } from '@tfjs-vit/testing';
import { describe, expect, it } from 'vitest';
import { ModuleList } from './containers';
import { Module, Parameter, permutedLayout, StateDictError } from './module';

class Affine extends Module {
  readonly weight: Parameter;
  readonly bias: Parameter;
  constructor(inF: number, outF: number) {
    super();
    // stored [in, out], state dict [out, in], as a Linear
    this.weight = this.registerParameter('weight', tf.tidy(() => tf.reshape(tf.range(0, inF * outF), [inF, outF])), permutedLayout([1, 0]));
    this.bias = this.registerParameter('bias', tf.zeros([outF]));
  }
}

class Net extends Module {
  readonly blocks = this.registerModule('blocks', new ModuleList([new Affine(2, 3), new Affine(3, 2)]));
  readonly head = this.registerModule('head', new Affine(2, 5));
}

describeBackends('Module', () => {
  it('names parameters with dotted timm-style paths in registration order', () => {
    const net = new Net();
    expect(net.namedParameters().map(([k]) => k)).toEqual([
      'blocks.0.weight',
      'blocks.0.bias',
      'blocks.1.weight',
      'blocks.1.bias',
      'head.weight',
      'head.bias',
    ]);
    expect(net.numParameters()).toBe(2 * 3 + 3 + 3 * 2 + 2 + 2 * 5 + 5);
    net.dispose();
  });

  it('exports the state-dict layout and loads it back into the stored layout', () => {
    const net = new Net();
    const sd = net.stateDict();
    const w = sd.get('blocks.0.weight')!;
    expect(w.shape).toEqual([3, 2]); // [out, in]
    expect(Array.from(w.dataSync())).toEqual([0, 3, 1, 4, 2, 5]);
    const other = new Net();
    other.blocks.at(0).weight.variable.assign(tf.zeros([2, 3]));
    const report = other.loadStateDict(sd);
    expect(report).toEqual({ missingKeys: [], unexpectedKeys: [], shapeMismatches: [] });
    expectClose(other.blocks.at(0).weight.value, net.blocks.at(0).weight.value, 0);
    tf.dispose([...sd.values()]);
    net.dispose();
    other.dispose();
  });

  it('strict load reports every problem and changes nothing', () => {
    const net = new Net();
    const before = Array.from(net.head.weight.value.dataSync());
    const dict = new Map<string, tf.Tensor>([
      ['head.weight', tf.ones([4, 2])],
      ['head.bias', tf.ones([5])],
      ['extra', tf.ones([1])],
    ]);
    let err: unknown;
    try {
      net.loadStateDict(dict);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(StateDictError);
    const report = (err as StateDictError).report;
    expect(report.unexpectedKeys).toEqual(['extra']);
    expect(report.missingKeys).toContain('blocks.0.weight');
    expect(report.shapeMismatches).toEqual([{ key: 'head.weight', expected: [5, 2], got: [4, 2] }]);
    expect((err as Error).message).toContain('head.weight: expected [5, 2], got [4, 2]');
    expect(Array.from(net.head.weight.value.dataSync())).toEqual(before);
    expect(Array.from(net.head.bias.value.dataSync())).toEqual([0, 0, 0, 0, 0]);

    const lenient = net.loadStateDict(dict, { strict: false });
    expect(lenient.shapeMismatches).toHaveLength(1);
    expect(Array.from(net.head.bias.value.dataSync())).toEqual([1, 1, 1, 1, 1]);
    tf.dispose([...dict.values()]);
    net.dispose();
  });

  it('freezes, switches modes, and disposes every variable', () => {
    const start = tf.memory().numTensors;
    const net = new Net();
    net.blocks.setTrainable(false);
    expect(net.trainableVariables()).toHaveLength(2);
    expect(net.numParameters({ trainableOnly: true })).toBe(15);
    net.eval();
    expect(net.blocks.at(1).training).toBe(false);
    net.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });
});

describe('permutedLayout', () => {
  it('maps OIHW conv kernels to HWIO and back', () => {
    const layout = permutedLayout([2, 3, 1, 0]);
    expect(layout.stateShape([3, 5, 2, 4])).toEqual([4, 2, 3, 5]);
    const oihw = tf.randomNormal([4, 2, 3, 5]);
    const back = layout.toState(layout.fromState(oihw));
    expectClose(back, oihw, 0);
  });
});
