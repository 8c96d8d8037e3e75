// A timm hybrid checkpoint (ResNet stem, `patch_embed.backbone.*` keys) through the converter:
// a safetensors file of real timm weights (models' fixture, tools/fixtures/gen_timm_hybrid.py)
// loads into `createModel(name)` with loadTimmCheckpoint and gives timm's logits.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { createModel, type VisionTransformer, type ViTConfig } from '@tfjs-vit/models';
import { describeBackends, expectClose, loadFixture, maxAbsDiff } from '@tfjs-vit/testing';
import { afterAll, expect, it } from 'vitest';
import { CheckpointMismatchError, loadTimmCheckpoint } from './timm_load';
import { serializeSafetensors } from './safetensors_write';

const f = loadFixture(new URL('../../models/fixtures/timm_hybrid_tiny_r_s16_p8.safetensors', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'tfjs-vit-hybrid-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function writeCheckpoint(name: string, extra: Record<string, tf.Tensor> = {}): string {
  const sd = f.tensors('param.');
  for (const [k, t] of Object.entries(extra)) sd.set(k, t);
  const path = join(dir, name);
  writeFileSync(path, serializeSafetensors(sd, { metadata: { format: 'pt' } }));
  tf.dispose([...sd.values()]);
  return path;
}

const build = (): VisionTransformer =>
  createModel(f.meta.model, { ...(JSON.parse(f.meta.overrides) as ViTConfig), backboneLayers: JSON.parse(f.meta.backboneLayers) as number[] }).eval();

describeBackends('timm hybrid checkpoint → loadTimmCheckpoint', (backend) => {
  it(`${f.meta.model}: every key loads, logits equal timm's`, async () => {
    const model = build();
    const report = await loadTimmCheckpoint(model, writeCheckpoint('hybrid.safetensors'));
    expect(report.layout).toBe('timm');
    expect([report.missingKeys, report.unexpectedKeys, report.shapeMismatches]).toEqual([[], [], []]);
    tf.tidy(() => {
      const logits = model.forward(tf.transpose(f.tensor('in.x'), [0, 2, 3, 1]));
      expectClose(logits, f.tensor('out.logits'), 1e-4, 'logits');
      console.log(`[${backend}] hybrid via loadTimmCheckpoint: max |logits - timm| = ${maxAbsDiff(logits, f.tensor('out.logits')).toExponential(2)}`);
    });
    model.dispose();
  });

  it('a backbone key the model lacks is a strict failure naming it with its shape; the model is unchanged', async () => {
    const model = build();
    const before = model.stateDict();
    const path = writeCheckpoint('hybrid_extra.safetensors', { 'patch_embed.backbone.stages.0.blocks.0.conv1.weight': tf.zeros([8, 64, 1, 1]) });
    const err = await loadTimmCheckpoint(model, path).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CheckpointMismatchError);
    expect((err as Error).message).toMatch(/patch_embed\.backbone\.stages\.0\.blocks\.0\.conv1\.weight \[8, 64, 1, 1\]/);
    const after = model.stateDict();
    for (const [k, t] of before) expect(maxAbsDiff(after.get(k)!, t), k).toBe(0);
    tf.dispose([...before.values(), ...after.values()]);
    model.dispose();
  });
});
