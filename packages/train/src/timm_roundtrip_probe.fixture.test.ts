// A linear probe trained by fineTune (`tfjs-vit train --linear-probe`) loads in timm and gives
// the same logits (docs/scaling-out.md). roundtrip_probe_ours.safetensors was written by
// tools/fixtures/export_for_timm.ts; tools/fixtures/gen_timm_roundtrip.py loaded it into timm's
// VisionTransformer with load_state_dict(strict=True) and recorded timm's logits.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { fromTimm, readModelMeta } from '@tfjs-vit/convert';
import { describeBackends, expectClose, loadFixture, maxAbsDiff } from '@tfjs-vit/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { ROUNDTRIP_CASES, roundtripFile } from '../../convert/src/timm_roundtrip.testutil';
import { fineTune } from './fine_tune';
import { makeProbeFolder, PROBE, probeOptions } from './timm_roundtrip.testutil';

const here = (p: string) => new URL(p, import.meta.url).pathname;
const PROBE_FILE = here('../fixtures/roundtrip_probe_ours.safetensors');
const BACKBONE_FILE = here(`../../convert/fixtures/${roundtripFile(ROUNDTRIP_CASES[0].name)}`);
const fx = loadFixture(here('../fixtures/roundtrip_probe_timm.safetensors'));
const isHead = (k: string) => k.startsWith('head.');

describeBackends('linear probe → timm', () => {
  it('timm loaded the probe strictly (recorded by the script)', () => {
    expect(fx.meta.timm).toBe('1.0.28');
    expect(fx.meta.timmCommit).toBe('8ef73809f622e0031bd7f4940265734aef8b9978');
    expect(fx.meta.strictLoad).toMatch(/strict=True\): no missing, no unexpected keys/);
    expect(JSON.parse(fx.meta.timmKwargs)).toMatchObject({ num_classes: PROBE.classes.length, embed_dim: 16, num_heads: 2 });
    // the file's own metadata went along: the labels and heads fineTune recorded
    expect(readModelMeta(JSON.parse(fx.meta.sourceMetadata))?.labels).toEqual(PROBE.classes);
  });

  it("the probe, read back as a user would (no config: shapes + the heads in its metadata), gives timm's logits (≤ 1e-4)", async () => {
    const model = await fromTimm(PROBE_FILE);
    const x = tf.tidy(() => tf.transpose(fx.tensor('in.x'), [0, 2, 3, 1]));
    const y = model.eval().forward(x);
    const want = fx.tensor('out.logits');
    expectClose(y, want, 1e-4, 'probe logits');
    model.dispose();
    tf.dispose([x, y, want]);
  });
});

describe('the committed probe is what fineTune trains today', () => {
  const root = mkdtempSync(join(tmpdir(), 'tfjs-vit-probe-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const tensors = (path: string) => loadFixture(path);

  it('only the head trained: every backbone tensor equals the pretrained file, the head is new', () => {
    const probe = tensors(PROBE_FILE);
    const base = tensors(BACKBONE_FILE);
    expect(probe.names().sort()).toEqual(base.names().sort());
    for (const k of probe.names().filter((n) => !isHead(n))) expect(maxAbsDiff(probe.data(k), base.data(k)), k).toBe(0);
    expect(probe.shape('head.weight')).toEqual([PROBE.classes.length, 16]);
  });

  it('re-running fineTune --linear-probe on the same generated images gives the committed head (≤ 1e-6)', async () => {
    await tf.setBackend('cpu');
    const data = join(root, 'data');
    await makeProbeFolder(data);
    const r = await fineTune(probeOptions(ROUNDTRIP_CASES[0].config, data, BACKBONE_FILE, join(root, 'run')));
    const fresh = tensors(r.files.weights);
    const committed = tensors(PROBE_FILE);
    for (const k of ['head.weight', 'head.bias']) expect(maxAbsDiff(fresh.data(k), committed.data(k)), k).toBeLessThanOrEqual(1e-6);
    expect(JSON.parse(readFileSync(r.files.results, 'utf8')).mode).toBe('linear-probe');
  });
});
