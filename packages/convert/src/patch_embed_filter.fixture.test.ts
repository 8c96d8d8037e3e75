// A patch-16 timm ViT loaded into /8 and /12x8 models: our patch-kernel (and pos_embed) resampling
// gives the logits real timm gets through checkpoint_filter_fn (tools/fixtures/gen_resample_patch_embed.py).
import * as tf from '@tensorflow/tfjs-core';
import { createViT } from '@tfjs-vit/models';
import { describeBackends, expectClose, loadFixture, maxAbsDiff } from '@tfjs-vit/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { checkpointError, fixturePath } from './fixtures.testutil';
import { fromTimm } from './from_timm';
import { CheckpointMismatchError, loadTimmCheckpoint, type TimmLoadReport } from './timm_load';

const fx = loadFixture(fixturePath('resample_expected.safetensors'));
const CKPT = fixturePath('resample_vit_p16.pth');
interface Case { name: string; patchSize: number | [number, number]; imgSize: number; interpolation: 'bicubic' | 'bilinear'; antialias: boolean; grid: [number, number] }
const cases = JSON.parse(fx.meta.cases) as Case[];
const numHeads = JSON.parse(fx.meta.numHeads) as number;

describeBackends('patch-embedding resampling vs timm checkpoint_filter_fn', () => {
  let x: tf.Tensor;
  let x24: tf.Tensor;
  beforeAll(() => {
    x = tf.tidy(() => tf.transpose(fx.tensor('in.x'), [0, 2, 3, 1]));
    x24 = tf.tidy(() => tf.transpose(fx.tensor('in.x24'), [0, 2, 3, 1]));
  });
  afterAll(() => tf.dispose([x, x24]));

  it('the patch-16 checkpoint itself gives timm\'s logits (no resampling)', async () => {
    let report: TimmLoadReport | undefined;
    const model = await fromTimm(CKPT, { model: { numHeads }, onReport: (r) => (report = r) });
    const y = model.eval().forward(x);
    expectClose(Array.from(y.dataSync()), fx.data('out.p16_logits'), 1e-4, 'p16 logits');
    expect(report!.patchEmbed).toBeNull();
    tf.dispose(y);
    model.dispose();
  });

  for (const c of cases) {
    it(`fromTimm(…, { patchSize: ${JSON.stringify(c.patchSize)}, imgSize: ${c.imgSize} }) with ${c.interpolation}${c.antialias ? ' + antialias' : ''}: kernel, pos_embed and logits match timm ≤ 1e-4`, async () => {
      const before = tf.memory().numTensors;
      let report: TimmLoadReport | undefined;
      const method = { interpolation: c.interpolation, antialias: c.antialias };
      const isDefault = c.interpolation === 'bicubic' && c.antialias;
      const model = await fromTimm(CKPT, {
        model: { numHeads }, patchSize: c.patchSize, imgSize: c.imgSize, onReport: (r) => (report = r),
        ...(isDefault ? {} : { resamplePatchEmbed: method }),
      });
      const to = Array.isArray(c.patchSize) ? c.patchSize : [c.patchSize, c.patchSize];
      expect(report!.patchEmbed).toEqual({ ...method, from: [16, 16], to });
      if (c.grid[0] === 3 && c.grid[1] === 3) expect(report!.posEmbed).toBeNull(); // same grid: only the kernel changes
      else expect(report!.posEmbed).toMatchObject({ fromTokens: 10, toTokens: 1 + c.grid[0] * c.grid[1], grid: c.grid });
      expect(report!.skipped).toEqual([]);
      const sd = model.stateDict();
      expectClose(Array.from(sd.get('patch_embed.proj.weight')!.dataSync()), fx.data(`${c.name}.patch_embed.proj.weight`), 1e-4, 'resampled kernel');
      expectClose(Array.from(sd.get('pos_embed')!.dataSync()), fx.data(`${c.name}.pos_embed`), 1e-4, 'pos_embed');
      tf.dispose([...sd.values()]);
      const y = model.eval().forward(c.imgSize === 48 ? x : x24);
      const want = fx.data(`out.${c.name}_logits`);
      expectClose(Array.from(y.dataSync()), want, 1e-4, `${c.name} logits`);
      // the test can fail: the resampled model's logits are far from the unresampled checkpoint's
      if (c.imgSize === 48) expect(maxAbsDiff(want, fx.data('out.p16_logits'))).toBeGreaterThan(1e-2);
      tf.dispose(y);
      model.dispose();
      expect(tf.memory().numTensors).toBe(before);
    });
  }

  it('loadTimmCheckpoint resamples into a /8 model; resamplePatchEmbed: false makes it a mismatch instead', async () => {
    const config = JSON.parse(fx.meta.kwargs) as { img_size: number; embed_dim: number; depth: number; num_heads: number; num_classes: number };
    const model = createViT({ imgSize: config.img_size, patchSize: 8, embedDim: config.embed_dim, depth: config.depth, numHeads: config.num_heads, numClasses: config.num_classes });
    const report = await loadTimmCheckpoint(model, CKPT);
    expect(report.patchEmbed).toEqual({ interpolation: 'bicubic', antialias: true, from: [16, 16], to: [8, 8] });
    const y = model.eval().forward(x);
    expectClose(Array.from(y.dataSync()), fx.data('out.p8_logits'), 1e-4, 'p8 logits');
    y.dispose();
    const err = await checkpointError(() => loadTimmCheckpoint(model, CKPT, { resamplePatchEmbed: false }), 'CHECKPOINT_ARCH_MISMATCH');
    expect((err as CheckpointMismatchError).report.shapeMismatches).toEqual([{ key: 'patch_embed.proj.weight', expected: [32, 3, 8, 8], got: [32, 3, 16, 16] }]);
    expect(err.message).toContain('patch_embed.proj.weight: expected [32, 3, 8, 8], got [32, 3, 16, 16]');
    model.dispose();
  });
});
