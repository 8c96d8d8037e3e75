// loadTimmCheckpoint / fromTimm on bad or partial input: typed errors, quickly; strict loads that
// fail leave the model untouched; reports say what happened.
import * as tf from '@tensorflow/tfjs-core';
import { createViT, type ViTConfig } from '@tfjs-vit/models';
import { describeBackends, expectClose, loadFixture } from '@tfjs-vit/testing';
import { ArgumentError } from '@tfjs-vit/ops';
import { expect, it } from 'vitest';
import { CheckpointError } from './errors';
import { checkpointError, fixtureBytes, fixturePath } from './fixtures.testutil';
import { fromTimm } from './from_timm';
import { serializeSafetensors } from './safetensors_write';
import { CheckpointMismatchError, loadTimmCheckpoint, type TimmLoadReport } from './timm_load';
import { readTimmStateDict } from './timm_state_dict';

const CONFIG = JSON.parse(loadFixture(fixturePath('mapping_expected.safetensors')).meta.config) as ViTConfig;

function snapshot(model: { stateDict(): Map<string, tf.Tensor> }): Map<string, Float32Array> {
  const sd = model.stateDict();
  const out = new Map([...sd].map(([k, t]) => [k, t.dataSync() as Float32Array]));
  tf.dispose([...sd.values()]);
  return out;
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const r = await fn();
  return [r, performance.now() - t0];
}

describeBackends('loadTimmCheckpoint / fromTimm on bad input', () => {
  it('an unknown architecture (a ResNet state dict) is CHECKPOINT_UNKNOWN_ARCH, naming what it found', async () => {
    const resnet = new Map([['conv1.weight', tf.zeros([8, 3, 7, 7])], ['layer1.0.conv1.weight', tf.zeros([8, 8, 3, 3])], ['fc.weight', tf.zeros([10, 8])]]);
    const bytes = serializeSafetensors(resnet);
    const [err, ms] = await timed(() => checkpointError(() => fromTimm(bytes), 'CHECKPOINT_UNKNOWN_ARCH'));
    expect(err.message).toContain('conv1.weight [8, 3, 7, 7]');
    expect(ms).toBeLessThan(1000);
    const model = createViT(CONFIG);
    await checkpointError(() => loadTimmCheckpoint(model, resnet), 'CHECKPOINT_UNKNOWN_ARCH');
    model.dispose();
    tf.dispose([...resnet.values()]);
  });

  it('shapes that do not fit a named model: CheckpointMismatchError listing the mismatches', async () => {
    const before = tf.memory().numTensors;
    const [err, ms] = await timed(() => checkpointError(() => fromTimm(fixturePath('mapping_timm.pth'), { model: 'vit_tiny_patch16_224' }), 'CHECKPOINT_ARCH_MISMATCH'));
    expect(err).toBeInstanceOf(CheckpointMismatchError);
    const { report } = err as CheckpointMismatchError;
    expect(report.shapeMismatches).toContainEqual({ key: 'patch_embed.proj.weight', expected: [192, 3, 16, 16], got: [16, 3, 4, 4] });
    expect(report.missingKeys).toContain('blocks.11.attn.qkv.weight');
    expect(err.message).toContain('patch_embed.proj.weight: expected [192, 3, 16, 16], got [16, 3, 4, 4]');
    expect(ms).toBeLessThan(3000);
    expect(tf.memory().numTensors).toBe(before); // the half-built model was disposed
  });

  it('a truncated file is a typed error, quickly', async () => {
    const bytes = fixtureBytes('mapping_timm.pth');
    for (const cut of [10, 200, bytes.length >> 1, bytes.length - 30]) {
      const [err, ms] = await timed(() => checkpointError(() => fromTimm(bytes.subarray(0, cut))));
      expect(['CHECKPOINT_TRUNCATED', 'CHECKPOINT_BAD_ZIP', 'CHECKPOINT_UNKNOWN_FORMAT']).toContain(err.code);
      expect(ms).toBeLessThan(1000);
    }
    const npz = fixtureBytes('mapping_jax.npz');
    await checkpointError(() => fromTimm(npz.subarray(0, npz.length - 100)));
  });

  it('a strict failure changes nothing; strict: false loads the rest and reports', async () => {
    const sd = (await import('./timm_state_dict')).readTimmStateDict;
    const full = await sd(fixturePath('mapping_timm.pth'));
    const partial = new Map(full.tensors);
    partial.delete('norm.weight');
    partial.set('extra.weight', partial.get('norm.bias')!);
    const model = createViT(CONFIG);
    const init = snapshot(model);
    const err = await checkpointError(() => loadTimmCheckpoint(model, partial), 'CHECKPOINT_ARCH_MISMATCH');
    expect((err as CheckpointMismatchError).report.missingKeys).toEqual(['norm.weight']);
    expect((err as CheckpointMismatchError).report.unexpectedKeys).toEqual(['extra.weight']);
    for (const [k, v] of snapshot(model)) expectClose(v, init.get(k)!, 0, `${k} untouched`);

    const report = await loadTimmCheckpoint(model, partial, { strict: false });
    expect(report.missingKeys).toEqual(['norm.weight']);
    expect(report.unexpectedKeys).toEqual(['extra.weight']);
    const after = snapshot(model);
    expectClose(after.get('norm.weight')!, init.get('norm.weight')!, 0, 'missing key keeps its init');
    expectClose(after.get('blocks.0.attn.qkv.weight')!, full.tensors.get('blocks.0.attn.qkv.weight')!, 0, 'loaded');
    expect(full.tensors.get('norm.bias')!.isDisposed).toBe(false); // a caller's Map is never disposed
    model.dispose();
    full.dispose();
  });

  it("partial: true (seed 002's shape filter): loads every equal shape, keeps the model's values for the rest, reports each with both shapes", async () => {
    const full = await readTimmStateDict(fixturePath('mapping_timm.pth'));
    const ckpt = new Map(full.tensors);
    const fc1 = tf.ones([40, 16]); // another MLP width: in both, of other shapes
    const extra = tf.ones([7]);
    ckpt.set('blocks.1.mlp.fc1.weight', fc1);
    ckpt.delete('norm.weight');
    ckpt.set('extra.weight', extra);
    const model = createViT({ ...CONFIG, numClasses: 5 }); // a new head size
    const init = snapshot(model);
    const err = await checkpointError(() => loadTimmCheckpoint(model, ckpt), 'CHECKPOINT_ARCH_MISMATCH');
    expect(err.message).toContain('unexpected keys: extra.weight [7]');
    expect(err.message).toContain('missing keys: norm.weight [16]');
    expect(err.message).toContain('blocks.1.mlp.fc1.weight: expected [32, 16], got [40, 16]');
    for (const [k, v] of snapshot(model)) expectClose(v, init.get(k)!, 0, `${k} untouched by the strict failure`);

    const report = await loadTimmCheckpoint(model, ckpt, { partial: true });
    const byKey = new Map(report.skipped.map((s) => [s.key, s]));
    expect(report.skipped).toHaveLength(5);
    expect(byKey.get('head.weight')).toEqual({ key: 'head.weight', reason: 'head', checkpointShape: [10, 16], modelShape: [5, 16] });
    expect(byKey.get('head.bias')).toEqual({ key: 'head.bias', reason: 'head', checkpointShape: [10], modelShape: [5] });
    expect(byKey.get('blocks.1.mlp.fc1.weight')).toEqual({ key: 'blocks.1.mlp.fc1.weight', reason: 'shape', checkpointShape: [40, 16], modelShape: [32, 16] });
    expect(byKey.get('norm.weight')).toEqual({ key: 'norm.weight', reason: 'missing', checkpointShape: null, modelShape: [16] });
    expect(byKey.get('extra.weight')).toEqual({ key: 'extra.weight', reason: 'unexpected', checkpointShape: [7], modelShape: null });
    expect(report.missingKeys).toEqual(['norm.weight']);
    expect(report.unexpectedKeys).toEqual(['extra.weight']);
    expect(report.shapeMismatches).toEqual([{ key: 'blocks.1.mlp.fc1.weight', expected: [32, 16], got: [40, 16] }]);
    const after = snapshot(model);
    for (const k of ['head.weight', 'head.bias', 'blocks.1.mlp.fc1.weight', 'norm.weight']) expectClose(after.get(k)!, init.get(k)!, 0, `${k} keeps the model's init`);
    let loaded = 0;
    for (const [k, t] of full.tensors) {
      if (['head.weight', 'head.bias', 'blocks.1.mlp.fc1.weight', 'norm.weight'].includes(k)) continue;
      expectClose(after.get(k)!, t, 0, `${k} loaded`);
      loaded++;
    }
    expect(loaded).toBe(model.namedParameters('', { includeBuffers: true }).length - 4);
    // the same load under its older name; and the two flags together are a contradiction
    const again = await loadTimmCheckpoint(model, ckpt, { strict: false });
    expect(again.skipped).toEqual(report.skipped);
    await expect(loadTimmCheckpoint(model, ckpt, { partial: true, strict: true })).rejects.toThrow(ArgumentError);
    await expect(fromTimm(fixturePath('mapping_timm.pth'), { partial: true, strict: true })).rejects.toThrow(/cannot be combined with strict: true/);
    model.dispose();
    full.dispose();
    tf.dispose([fc1, extra]);
  });

  it("fromTimm({ partial: true, numClasses }) fine-tunes: the trunk is the checkpoint's, the head fresh, the report lists the head", async () => {
    let report: TimmLoadReport | undefined;
    const model = await fromTimm(fixturePath('mapping_timm.pth'), { model: { numHeads: 2 }, numClasses: 3, partial: true, onReport: (r) => (report = r) });
    expect(report!.skipped.map((s) => [s.key, s.reason, s.checkpointShape, s.modelShape])).toEqual([
      ['head.weight', 'head', [10, 16], [3, 16]],
      ['head.bias', 'head', [10], [3]],
    ]);
    const sd = model.stateDict();
    const want = await readTimmStateDict(fixturePath('mapping_timm.pth'));
    expectClose(sd.get('blocks.1.attn.qkv.weight')!, want.tensors.get('blocks.1.attn.qkv.weight')!, 0, 'trunk loaded');
    expect(Math.max(...Array.from(sd.get('head.weight')!.dataSync()).map(Math.abs))).toBeGreaterThan(0); // not zeros
    tf.dispose([...sd.values()]);
    want.dispose();
    model.dispose();
  });

  it("a DeiT distilled checkpoint into a distilled model with another head size: head and head_dist left out, the rest loaded", async () => {
    const arch = { imgSize: 16, patchSize: 8, embedDim: 16, depth: 1, numHeads: 2, distilled: true } as const;
    const source = createViT({ ...arch, numClasses: 5 });
    const bytes = serializeSafetensors(source);
    const model = createViT({ ...arch, numClasses: 3 });
    const report = await loadTimmCheckpoint(model, bytes); // strict: only the heads do not fit
    expect(report.droppedKeys).toEqual(['head.weight', 'head.bias', 'head_dist.weight', 'head_dist.bias']);
    expect(report.notes.some((n) => n.startsWith('checkpoint head_dist [5, 16] does not fit numClasses 3'))).toBe(true);
    const [got, want] = [model.stateDict(), source.stateDict()];
    expectClose(got.get('dist_token')!, want.get('dist_token')!, 0, 'dist_token loaded');
    expect(got.get('head_dist.weight')!.shape).toEqual([3, 16]);
    tf.dispose([...got.values(), ...want.values()]);
    source.dispose();
    model.dispose();
  });

  it('EMA weights are preferred in a training checkpoint; useEma: false takes the live ones', async () => {
    const model = createViT(CONFIG);
    const sd = model.stateDict();
    const ema = new Map([...sd].map(([k, t]) => [k, tf.add(t, 1)]));
    const ckpt = new Map<string, tf.Tensor>([
      ...[...sd].map(([k, t]) => [`state_dict.${k}`, t] as const),
      ...[...ema].map(([k, t]) => [`state_dict_ema.module.${k}`, t] as const),
    ]);
    let report = await loadTimmCheckpoint(model, ckpt);
    expect(report.wrappers).toEqual(['state_dict_ema']);
    expectClose(snapshot(model).get('pos_embed')!, ema.get('pos_embed')!, 0, 'EMA pos_embed');
    report = await loadTimmCheckpoint(model, ckpt, { useEma: false });
    expect(report.wrappers).toEqual(['state_dict']);
    expectClose(snapshot(model).get('pos_embed')!, sd.get('pos_embed')!, 0, 'live pos_embed');
    tf.dispose([...sd.values(), ...ema.values()]);
    model.dispose();
  });

  it('a Hugging Face checkpoint loaded into a model with eps 1e-6 norms says so', async () => {
    const model = createViT({ ...CONFIG, numHeads: 2 });
    const report = await loadTimmCheckpoint(model, fixturePath('mapping_hf.safetensors'));
    expect(report.layout).toBe('hf');
    expect(report.notes.join('\n')).toMatch(/eps 1e-12/);
    model.dispose();
  });

  it('a pos_embed of another width is a mismatch, not a resample', async () => {
    const model = createViT({ ...CONFIG, embedDim: 32, numHeads: 2 });
    const err = await checkpointError(() => loadTimmCheckpoint(model, fixturePath('mapping_timm.pth')), 'CHECKPOINT_ARCH_MISMATCH');
    expect((err as CheckpointMismatchError).report.shapeMismatches.map((m) => m.key)).toContain('pos_embed');
    expect((err as CheckpointMismatchError).report.posEmbed).toBeNull();
    model.dispose();
  });
});

it('CheckpointMismatchError is a CheckpointError', () => {
  expect(CheckpointMismatchError.prototype).toBeInstanceOf(CheckpointError);
});
