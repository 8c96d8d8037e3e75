// End to end: the CLIP / DINOv2 / big_vision checkpoints of gen_convert_layouts.py, read, mapped,
// config inferred and run by us, give the outputs the real timm model gives with the weights
// timm's own converter loaded from the same file.
import * as tf from '@tensorflow/tfjs-core';
import type { VisionTransformerOptions } from '@tfjs-vit/models';
import { describeBackends, expectRelClose, loadFixture } from '@tfjs-vit/testing';
import { expect, it } from 'vitest';
import { fixturePath } from './fixtures.testutil';
import { fromTimm } from './from_timm';
import type { TimmLoadReport } from './timm_load';

const fx = loadFixture(fixturePath('layouts_expected.safetensors'));
const cases = JSON.parse(fx.meta.cases!) as Record<string, { file: string; model: string }>;

// what the shapes cannot say: heads (16 wide, 2 heads: no registered model, not 64-wide), and the
// activation of timm's *_clip_quickgelu_* models; CLIP's LayerNorm eps comes from the layout
const GIVEN: Record<string, VisionTransformerOptions> = {
  openai_clip: { numHeads: 2 },
  open_clip: { numHeads: 2, actLayer: 'quick_gelu' },
  open_clip_timm: { numHeads: 2 },
  dinov2: { numHeads: 2 },
  dinov2_reg4: { numHeads: 2 },
  siglip: {}, // heads are recorded in the npz's kernels
  big_vision_scanned: {},
};

describeBackends('fromTimm on CLIP, DINOv2 and big_vision checkpoints', () => {
  for (const [c, given] of Object.entries(GIVEN)) {
    it(`${c} (${cases[c]?.model}): outputs match timm's`, async () => {
      let report: TimmLoadReport | undefined;
      const model = await fromTimm(fixturePath(cases[c]!.file), { model: given, onReport: (r) => (report = r) });
      try {
        expect(report!.missingKeys).toEqual([]);
        expect(report!.unexpectedKeys).toEqual([]);
        const y = tf.tidy(() => model.eval().forward(tf.transpose(fx.tensor('in.x'), [0, 2, 3, 1])));
        const want = fx.tensor(`out.${c}`);
        expect(y.shape).toEqual(want.shape);
        // random LayerNorm scales make activations large (up to ~300): compare relative to them
        expectRelClose(y, want, 1e-5, 1e-5, c);
        tf.dispose([y, want]);
      } finally {
        model.dispose();
      }
    });
  }
});
