// loadTimmCheckpoint / fromTimm on bad or partial input: typed errors, quickly; strict loads that
// fail leave the model untouched; reports say what happened.
import * as tf from '@tensorflow/tfjs-core';
import { createViT, type ViTConfig } from '@tfjs-vit/models';
import { describeBackends, expectClose, loadFixture } from '@tfjs-vit/testing';
import { expect, it } from 'vitest';
import { CheckpointError } from './errors';
import { checkpointError, fixtureBytes, fixturePath } from './fixtures.testutil';
import { fromTimm } from './from_timm';
import { serializeSafetensors } from './safetensors_write';
import { CheckpointMismatchError, loadTimmCheckpoint } from './timm_load';

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
