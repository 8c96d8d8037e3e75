// The round trip with timm (docs/scaling-out.md): our export loads into timm's VisionTransformer
// with load_state_dict(strict=True), gives timm's logits there, and the checkpoint timm writes
// after an optimizer step loads back into ours with timm's outputs. The files were made by
// tools/fixtures/export_for_timm.ts (ours) and tools/fixtures/gen_timm_roundtrip.py (real timm).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { describeBackends, expectClose, type Fixture, loadFixture, maxAbsDiff } from '@tfjs-vit/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { fixtureBytes, fixturePath } from './fixtures.testutil';
import { fromTimm } from './from_timm';
import { serializeSafetensors } from './safetensors_write';
import { ROUNDTRIP_CASES, ROUNDTRIP_METADATA, roundtripFile, roundtripModel } from './timm_roundtrip.testutil';

const PYTHON = '/usr/bin/python3';
const TOOLS = new URL('../../../tools/fixtures/', import.meta.url).pathname;
/** The fixture's NCHW input as the NHWC batch our model takes. */
const inputOf = (fx: Fixture) => tf.tidy(() => tf.transpose(fx.tensor('in.x'), [0, 2, 3, 1]));

describe('our export is the file timm loaded', () => {
  for (const c of ROUNDTRIP_CASES) {
    it(`${c.name}: serializeSafetensors of the seeded model equals ${roundtripFile(c.name)} byte for byte`, async () => {
      await tf.setBackend('cpu');
      const model = roundtripModel(c);
      const bytes = serializeSafetensors(model, { metadata: ROUNDTRIP_METADATA });
      model.dispose();
      const committed = fixtureBytes(roundtripFile(c.name));
      expect(bytes.length).toBe(committed.length);
      expect(Buffer.compare(Buffer.from(bytes), Buffer.from(committed))).toBe(0);
    });
  }
});

describeBackends('timm round trip', () => {
  for (const c of ROUNDTRIP_CASES) {
    const fx = loadFixture(fixturePath(`roundtrip_${c.name}_timm.safetensors`));

    it(`${c.name}: timm loaded it strictly (recorded by the script, timm ${fx.meta.timm})`, () => {
      expect(fx.meta.timmCommit).toBe('8ef73809f622e0031bd7f4940265734aef8b9978');
      expect(fx.meta.strictLoad).toMatch(/strict=True\): no missing, no unexpected keys/);
      expect(JSON.parse(fx.meta.timmKwargs)).toEqual(c.timmKwargs);
    });

    it(`${c.name}: our logits on the input equal timm's on our file (≤ 1e-4)`, async () => {
      const model = await fromTimm(fixturePath(roundtripFile(c.name)), { model: c.config });
      const x = inputOf(fx);
      const y = model.eval().forward(x);
      const want = fx.tensor('out.logits');
      expectClose(y, want, 1e-4, `${c.name} logits`);
      model.dispose();
      tf.dispose([x, y, want]);
    });

    it(`${c.name}: timm's checkpoint after one AdamW step (last.pth.tar) loads back with timm's stepped logits (≤ 1e-4)`, async () => {
      let report: Parameters<NonNullable<Parameters<typeof fromTimm>[1]>['onReport'] & object>[0] | undefined;
      const before = tf.memory().numTensors;
      const model = await fromTimm(fixturePath(`roundtrip_${c.name}_timm_last.pth.tar`), { model: c.config, onReport: (r) => (report = r) });
      expect(report!.wrappers).toEqual(['state_dict']); // optimizer, args, epoch: left out, as timm's load_state_dict does
      expect(report!.missingKeys).toEqual([]);
      expect(report!.unexpectedKeys).toEqual([]);
      const x = inputOf(fx);
      const y = model.eval().forward(x);
      const stepped = fx.tensor('out.stepped_logits');
      const original = fx.tensor('out.logits');
      expectClose(y, stepped, 1e-4, `${c.name} stepped logits`);
      // the step did move the model: a load that ignored it would fail the line above
      expect(maxAbsDiff(stepped, original)).toBeGreaterThan(1e-2);
      model.dispose();
      tf.dispose([x, y, stepped, original]);
      expect(tf.memory().numTensors).toBe(before);
    });
  }

  it('a plain ViT checkpoint from timm needs only the head count (the rest is in the shapes)', async () => {
    const c = ROUNDTRIP_CASES[0];
    const fx = loadFixture(fixturePath(`roundtrip_${c.name}_timm.safetensors`));
    const model = await fromTimm(fixturePath(`roundtrip_${c.name}_timm_last.pth.tar`), { model: { numHeads: 2 } });
    const x = inputOf(fx);
    const y = model.eval().forward(x);
    const want = fx.tensor('out.stepped_logits');
    expectClose(y, want, 1e-4, 'stepped logits (inferred config)');
    model.dispose();
    tf.dispose([x, y, want]);
  });
});

// Live: a fresh export, now, into PyTorch. With timm's source (TIMM_SRC or /tmp/timm) it is the
// script's strict load into timm's VisionTransformer; with torch alone, a strict load into a module
// laid out as timm's checkpoint. Never passes silently: without torch it is skipped, and says so.
const hasTorch = existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import torch'], { timeout: 60_000 }).status === 0;
const hasTimm = hasTorch && spawnSync(PYTHON, ['-c', 'import timm_src'], { cwd: TOOLS, timeout: 60_000 }).status === 0;
if (!hasTorch) console.warn(`timm_roundtrip live tests SKIPPED: ${PYTHON} cannot import torch (the committed fixtures are still checked)`);
else if (!hasTimm) console.warn(`timm_roundtrip live timm load SKIPPED: no timm v1.0.28 source at $TIMM_SRC or /tmp/timm (the torch-only strict load still runs)`);

describe('live PyTorch load of a fresh export', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tfjs-vit-roundtrip-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const fresh = async (c: (typeof ROUNDTRIP_CASES)[number]) => {
    await tf.setBackend('cpu');
    const model = roundtripModel(c);
    const path = join(dir, roundtripFile(c.name));
    writeFileSync(path, serializeSafetensors(model, { metadata: ROUNDTRIP_METADATA }));
    return { model, path };
  };

  for (const c of ROUNDTRIP_CASES) {
    it.skipIf(!hasTorch)(`${c.name}: torch loads every tensor with load_state_dict(strict=True): timm's keys, dtypes and shapes`, async () => {
      const { model, path } = await fresh(c);
      model.dispose();
      const run = spawnSync(PYTHON, [join(TOOLS, 'check_torch_load.py'), path, fixturePath(`roundtrip_${c.name}_timm_last.pth.tar`)], { encoding: 'utf8', timeout: 120_000 });
      expect(run.status, run.stderr).toBe(0);
      const out = JSON.parse(run.stdout) as { loaded: string[]; maxAbsDiff: Record<string, number> };
      const ours = new Set(loadFixture(fixturePath(roundtripFile(c.name))).names());
      expect(out.loaded).toEqual([...ours].sort());
      // one AdamW step moved every parameter timm trains (all of them, here) by about lr
      for (const [k, d] of Object.entries(out.maxAbsDiff)) expect(d, k).toBeGreaterThan(0);
    });

    it.skipIf(!hasTimm)(`${c.name}: timm's VisionTransformer loads it strictly and gives our logits (≤ 1e-4)`, async () => {
      const { model, path } = await fresh(c);
      const run = spawnSync(PYTHON, [join(TOOLS, 'gen_timm_roundtrip.py'), '--check', path, c.name], { cwd: TOOLS, encoding: 'utf8', timeout: 120_000 });
      expect(run.status, run.stderr).toBe(0);
      const { logits } = JSON.parse(run.stdout) as { logits: number[] };
      const fx = loadFixture(fixturePath(`roundtrip_${c.name}_timm.safetensors`));
      const x = inputOf(fx);
      const y = model.eval().forward(x);
      expectClose(Array.from(y.dataSync()), logits, 1e-4, `${c.name} live timm logits`);
      model.dispose();
      tf.dispose([x, y]);
    });
  }
});
