import * as tf from '@tensorflow/tfjs-core';
import { describeBackends, expectClose, loadFixture, maxAbsDiff, tensorGrowth } from '@tfjs-vit/testing';
import { expect, it } from 'vitest';
import { AdamW } from './adamw';
import { clipGradNorm } from './clip_grad';
import { crossEntropyLoss } from './cross_entropy';
import { GradientAccumulator } from './grad_accumulation';
import type { Optimizer, ParamGroup } from './optimizer';
import { paramGroupsWeightDecay } from './param_groups';
import { SGD } from './sgd';
import { TinyMLP } from './test_model';
import { lossAndGradients } from './train_step';

interface Meta {
  groups: { names: string[]; weight_decay: number; lr_scale?: number }[];
  defaults: Record<string, number | boolean | number[]>;
  lrs: number[] | null;
  max_norm: number | null;
  norms: number[];
  accum: number;
  steps: number;
}

function setup(name: string, make: (groups: ParamGroup[], d: Meta['defaults']) => Optimizer) {
  const fx = loadFixture(new URL(`../fixtures/optim_${name}.safetensors`, import.meta.url));
  const meta: Meta = {
    groups: JSON.parse(fx.meta.groups),
    defaults: JSON.parse(fx.meta.defaults),
    lrs: JSON.parse(fx.meta.lrs),
    max_norm: JSON.parse(fx.meta.max_norm),
    norms: JSON.parse(fx.meta.norms),
    accum: JSON.parse(fx.meta.accum),
    steps: JSON.parse(fx.meta.steps),
  };
  const model = new TinyMLP();
  const init = fx.tensors('param.');
  model.loadStateDict(init);
  tf.dispose([...init.values()]);
  const params = new Map(model.namedParameters());
  const groups: ParamGroup[] = meta.groups.map((g) => ({
    params: g.names.map((n) => ({ name: n, variable: params.get(n)!.variable })),
    weightDecay: g.weight_decay,
    lrScale: g.lr_scale ?? 1,
    lr: meta.defaults.lr as number,
  }));
  return { fx, meta, model, params, opt: make(groups, meta.defaults) };
}

const adamw = (g: ParamGroup[], d: Meta['defaults']) => new AdamW(g, { lr: d.lr as number, betas: d.betas as [number, number], eps: d.eps as number });
const sgd = (g: ParamGroup[], d: Meta['defaults']) =>
  new SGD(g, { lr: d.lr as number, momentum: d.momentum as number, dampening: d.dampening as number, nesterov: d.nesterov as boolean });

const CASES: [string, (g: ParamGroup[], d: Meta['defaults']) => Optimizer][] = [
  ['adamw', adamw],
  ['adamw_scaled_clip_accum', adamw],
  ['sgd_momentum', sgd],
  ['sgd_nesterov', sgd],
  ['sgd_plain_dampening', sgd],
];

describeBackends('optimizers vs torch.optim', () => {
  for (const [name, make] of CASES) {
    it(`${name}: fed torch's gradients, parameters match after every step (≤ 1e-6)`, () => {
      const { fx, meta, model, params, opt } = setup(name, make);
      let worst = 0;
      for (let k = 0; k < meta.steps; k++) {
        if (meta.lrs) opt.setLearningRate(meta.lrs[k]);
        const grads: tf.NamedTensorMap = {};
        for (const [n, p] of params) grads[p.variable.name] = fx.tensor(`grad.${k}.${n}`);
        opt.step(grads);
        tf.dispose(Object.values(grads));
        for (const [n, p] of params) worst = Math.max(worst, maxAbsDiff(p.variable, fx.data(`step.${k}.${n}`)));
      }
      expect(worst, `max abs diff ${worst}`).toBeLessThanOrEqual(1e-6);
      opt.dispose();
      model.dispose();
    });

    it(`${name}: end to end (our gradients, clipping, accumulation) within 1e-5 after ${5} steps`, () => {
      const { fx, meta, model, params, opt } = setup(name, make);
      const x = fx.tensor('in.x');
      const y = fx.tensor('in.y');
      const loss = crossEntropyLoss();
      const acc = new GradientAccumulator();
      const xs = tf.split(x, meta.accum);
      const ys = tf.split(y, meta.accum);
      for (let k = 0; k < meta.steps; k++) {
        if (meta.lrs) opt.setLearningRate(meta.lrs[k]);
        for (let i = 0; i < meta.accum; i++) {
          const r = lossAndGradients(model, loss, xs[i], ys[i], opt.variables(), 1 / meta.accum);
          acc.add(r.grads);
          tf.dispose([r.loss, r.logits, r.grads]);
        }
        let grads = acc.take();
        if (meta.max_norm !== null) {
          const c = clipGradNorm(grads, meta.max_norm);
          expect(Math.abs(c.totalNorm - meta.norms[k])).toBeLessThan(1e-5);
          tf.dispose(grads);
          grads = c.grads;
        }
        opt.step(grads);
        tf.dispose(grads);
      }
      for (const [n, p] of params) expectClose(p.variable, fx.data(`step.${meta.steps - 1}.${n}`), 1e-5, n);
      tf.dispose([x, y, ...xs, ys]);
      opt.dispose();
      model.dispose();
    });
  }

  it('paramGroupsWeightDecay reproduces the fixture groups (noWeightDecay + 1-D + .bias)', () => {
    const { meta, model } = setup('adamw', adamw);
    const groups = paramGroupsWeightDecay(model, 0.05);
    expect(groups.map((g) => [g.weightDecay, [...g.names].sort()])).toEqual(meta.groups.map((g) => [g.weight_decay, [...g.names].sort()]));
    model.dispose();
  });

  it('a step leaks no tensors once the state exists', () => {
    for (const make of [adamw, sgd]) {
      const { model, params, opt } = setup('sgd_momentum', make);
      const growth = tensorGrowth(() => {
        const grads: tf.NamedTensorMap = {};
        for (const [, p] of params) grads[p.variable.name] = tf.onesLike(p.variable);
        opt.step(grads);
        tf.dispose(Object.values(grads));
      });
      expect(growth).toBe(0);
      opt.dispose();
      model.dispose();
    }
  });

  it('frozen parameters get no state and do not move', () => {
    const { model, params, opt } = setup('adamw', adamw);
    model.fc1.setTrainable(false);
    const before = Float32Array.from(model.fc1.weight.value.dataSync());
    const r = lossAndGradients(model, crossEntropyLoss(), tf.ones([2, 6]), tf.tensor1d([0, 1], 'int32'), opt.variables());
    expect(Object.keys(r.grads)).not.toContain(model.fc1.weight.variable.name);
    const all: tf.NamedTensorMap = { ...r.grads, [model.fc1.weight.variable.name]: tf.onesLike(model.fc1.weight.value) };
    opt.step(all); // a gradient for a frozen variable is ignored as well
    expect(opt.statefulParams().sort()).toEqual(['fc2.bias', 'fc2.weight', 'pos_embed']);
    expect(maxAbsDiff(model.fc1.weight.value, before)).toBe(0);
    expect(params.size).toBe(5);
    tf.dispose([r.loss, r.logits, Object.values(all)]);
    model.dispose();
  });

  it('stateDict / loadStateDict resume to identical parameters', () => {
    const a = setup('adamw', adamw);
    const b = setup('adamw', adamw);
    const stepBoth = (k: number, which: typeof a[]) => {
      for (const s of which) {
        const grads: tf.NamedTensorMap = {};
        for (const [n, p] of s.params) grads[p.variable.name] = s.fx.tensor(`grad.${k}.${n}`);
        s.opt.step(grads);
        tf.dispose(Object.values(grads));
      }
    };
    stepBoth(0, [a, b]);
    stepBoth(1, [a, b]);
    const state = a.opt.stateDict();
    const fresh = adamw(
      a.opt.paramGroups.map((g) => ({ params: g.params, weightDecay: g.weightDecay, lrScale: g.lrScale, lr: g.lr })),
      a.meta.defaults,
    );
    fresh.loadStateDict(state);
    tf.dispose([...state.tensors.values()]);
    expect(fresh.stateDict().meta.steps).toEqual(a.opt.stateDict().meta.steps);
    // b continues with its own optimizer; a continues with the reloaded one
    const bParamsBefore = [...b.params.values()].map((p) => Float32Array.from(p.variable.dataSync()));
    expect(bParamsBefore.length).toBe(5);
    const a2 = { ...a, opt: fresh };
    stepBoth(2, [a2, b]);
    for (const [n, p] of a.params) expect(maxAbsDiff(p.variable, b.params.get(n)!.variable), n).toBe(0);
    expect(() => new SGD(a.opt.paramGroups).loadStateDict(a.opt.stateDict())).toThrow(/expected type SGD/);
    const swapped = adamw([...a.opt.paramGroups].reverse().map((g) => ({ params: g.params })), a.meta.defaults);
    expect(() => swapped.loadStateDict(a.opt.stateDict())).toThrow(/group 0 expected parameters/);
  });
});
