// CLIP / DINOv2 / big_vision checkpoints (written by tools/fixtures/gen_convert_layouts.py from real
// timm models, each checked there against timm's own converter) read through the public paths:
// the state dict we map equals the one timm's checkpoint_filter_fn / _load_weights produces.
import * as tf from '@tensorflow/tfjs-core';
import { parameterShapes, type ViTConfig } from '@tfjs-vit/models';
import { describeBackends, expectClose, loadFixture } from '@tfjs-vit/testing';
import { expect, it } from 'vitest';
import { checkpointError, fixturePath } from './fixtures.testutil';
import { inferViTConfig } from './infer_config';
import type { SourceLayout } from './source_layout';
import { readTimmStateDict } from './timm_state_dict';
import { openTimmStateDict } from './timm_stream';

const fx = loadFixture(fixturePath('layouts_expected.safetensors'));
const cases = JSON.parse(fx.meta.cases!) as Record<string, { file: string; model: string; kwargs: Record<string, unknown> }>;

type Case = { layout: SourceLayout; wrappers?: string[]; stripped?: string[]; numHeads?: number; config: Partial<ViTConfig> | null };
const CLIP: Partial<ViTConfig> = { preNorm: true, normEps: 1e-5, classToken: true, globalPool: 'token', numClasses: 12 };
const DINO: Partial<ViTConfig> = { classToken: true, regTokens: 0, initValues: 1e-5, numClasses: 0 };
// what inferViTConfig must read off each mapped state dict (timm's kwargs of the model); null: not inferable
const LAYOUTS: Record<string, Case> = {
  // a CLIP file's text tower (and big_vision's txt/, t, b) is left out on purpose: reported as the wrapper read
  openai_clip: { layout: 'openai_clip', wrappers: ['visual'], config: CLIP },
  open_clip: { layout: 'openai_clip', wrappers: ['state_dict', 'visual'], stripped: ['module.'], config: CLIP },
  open_clip_timm: { layout: 'open_clip_timm', wrappers: ['visual'], config: { classToken: false, globalPool: 'map', numClasses: 12 } },
  dinov2: { layout: 'dinov2', config: DINO },
  dinov2_reg4: { layout: 'dinov2', config: { ...DINO, regTokens: 4, noEmbedClass: true } },
  dinov2_giant: { layout: 'dinov2', config: null },
  siglip: { layout: 'big_vision', wrappers: ['params/img'], numHeads: 2, config: { classToken: false, globalPool: 'map', numClasses: 0 } },
  big_vision_scanned: { layout: 'big_vision', numHeads: 2, config: { classToken: true, noEmbedClass: true, globalPool: 'token', numClasses: 10 } },
};

function expectTimm(got: ReadonlyMap<string, tf.Tensor>, c: string): void {
  const want = fx.tensors(`${c}/`);
  try {
    expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
    for (const [k, w] of want) {
      const g = got.get(k)!;
      expect(g.shape, `${c}: ${k} shape`).toEqual(w.shape);
      expectClose(Array.from(g.dataSync()), Array.from(w.dataSync()), 1e-6, `${c}: ${k}`);
    }
  } finally {
    tf.dispose([...want.values()]);
  }
}

describeBackends("CLIP, DINOv2 and big_vision layouts equal timm's own conversion", () => {
  it('the generator recorded every case', () => {
    expect(Object.keys(cases).sort()).toEqual(Object.keys(LAYOUTS).sort());
    expect(fx.meta.timm).toBe('1.0.28');
  });

  for (const [c, want] of Object.entries(LAYOUTS)) {
    it(`${c} (${cases[c]?.model}, ${cases[c]?.file}): readTimmStateDict`, async () => {
      const before = tf.memory().numTensors;
      const sd = await readTimmStateDict(fixturePath(cases[c]!.file));
      try {
        expect(sd.layout).toBe(want.layout);
        expect(sd.wrappers).toEqual(want.wrappers ?? []);
        expect(sd.strippedPrefixes).toEqual(want.stripped ?? []);
        expect(sd.numHeads).toBe(want.numHeads);
        expectTimm(sd.tensors, c);
        // and the config inferred from it builds exactly timm's parameters
        if (want.config) {
          const { config } = inferViTConfig(sd.tensors, { numHeads: 2, layout: sd.layout });
          expect(config).toMatchObject({ ...want.config, embedDim: 16, depth: 2, mlpRatio: 2, patchSize: [4, 4], imgSize: [8, 8] });
          expect(parameterShapes(config)).toEqual(new Map([...sd.tensors].map(([k, t]) => [k, t.shape])));
        } else {
          const err = await checkpointError(() => inferViTConfig(sd.tensors, { numHeads: 2 }), 'CHECKPOINT_UNKNOWN_ARCH');
          expect(err.message).toMatch(/gated \(SwiGLU\) MLP/);
        }
      } finally {
        sd.dispose();
      }
      expect(tf.memory().numTensors).toBe(before);
    });

    it(`${c}: openTimmStateDict, group by group`, async () => {
      const before = tf.memory().numTensors;
      const stream = await openTimmStateDict(fixturePath(cases[c]!.file));
      const got = new Map<string, tf.Tensor>();
      try {
        expect(stream.layout).toBe(want.layout);
        stream.forEachGroup((tensors) => {
          for (const [k, t] of tensors) {
            expect(got.has(k), `${k} in two groups`).toBe(false);
            got.set(k, tf.clone(t));
          }
        });
        expect([...stream.shapes.keys()].sort()).toEqual([...got.keys()].sort());
        for (const [k, t] of got) expect(stream.shapes.get(k), k).toEqual(t.shape);
        expectTimm(got, c);
      } finally {
        tf.dispose([...got.values()]);
        stream.close();
      }
      expect(tf.memory().numTensors).toBe(before);
    });
  }
});
