// Fidelity: each source's checkpoint (written by real PyTorch / torchvision / numpy in
// tools/fixtures/gen_convert_mapping.py), converted and run by us, gives PyTorch's logits.
import * as tf from '@tensorflow/tfjs-core';
import { createViT, type VisionTransformer } from '@tfjs-vit/models';
import { describeBackends, expectClose, loadFixture } from '@tfjs-vit/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { fixturePath } from './fixtures.testutil';
import { fromTimm } from './from_timm';
import { loadTimmCheckpoint, type TimmLoadReport } from './timm_load';

const fx = loadFixture(fixturePath('mapping_expected.safetensors'));
const CASES = [
  { name: 'timm .pth ({model: ...}, module.)', file: 'mapping_timm.pth', key: 'timm' },
  { name: 'torchvision state dict', file: 'mapping_torchvision.pth', key: 'tv' },
  { name: 'Hugging Face names', file: 'mapping_hf.safetensors', key: 'hf' },
  { name: 'JAX npz', file: 'mapping_jax.npz', key: 'jax' },
  { name: 'Hugging Face ViTModel (pooler = pre-logits, no classifier)', file: 'mapping_hf_vitmodel.safetensors', key: 'hf_vitmodel', out: 'pooled' },
] as const;

describeBackends('fromTimm fidelity', () => {
  let x: tf.Tensor;
  let x24: tf.Tensor;
  beforeAll(() => {
    x = tf.tidy(() => tf.transpose(fx.tensor('in.x'), [0, 2, 3, 1]));
    x24 = tf.tidy(() => tf.transpose(fx.tensor('in.x24'), [0, 2, 3, 1]));
  });
  afterAll(() => tf.dispose([x, x24]));

  async function logitsOf(file: string, input: tf.Tensor, opts: Parameters<typeof fromTimm>[1] = {}): Promise<{ y: tf.Tensor; report: TimmLoadReport }> {
    let report: TimmLoadReport | undefined;
    // heads are not in the shapes of a 16-wide model (JAX kernels record them; the others need it)
    const model = await fromTimm(fixturePath(file), { model: file.endsWith('.npz') ? undefined : { numHeads: 2 }, onReport: (r) => (report = r), ...opts });
    const y = model.eval().forward(input);
    model.dispose();
    return { y, report: report! };
  }

  for (const c of CASES) {
    it(`${c.name}: logits match PyTorch`, async () => {
      const before = tf.memory().numTensors;
      const { y, report } = await logitsOf(c.file, x);
      const want = fx.tensor(`out.${c.key}_${'out' in c ? c.out : 'logits'}`);
      expectClose(y, want, 1e-4, `${c.key} logits`);
      expect(report.missingKeys).toEqual([]);
      expect(report.unexpectedKeys).toEqual([]);
      expect(report.posEmbed).toBeNull();
      tf.dispose([y, want]);
      expect(tf.memory().numTensors).toBe(before); // no tensor left behind by read/map/load
    });
  }

  it('timm wrapper and prefixes are reported', async () => {
    const { y, report } = await logitsOf('mapping_timm.pth', x);
    y.dispose();
    expect(report.layout).toBe('timm');
    expect(report.wrappers).toEqual(['model']);
    expect(report.strippedPrefixes).toEqual(['module.']);
  });

  for (const c of CASES.filter((k) => !k.key.startsWith('hf'))) {
    it(`${c.name}: a 24x24 model gets the source's own pos_embed resampling`, async () => {
      const { y, report } = await logitsOf(c.file, x24, { imgSize: 24 });
      const want = fx.tensor(`out.${c.key}_logits_24`);
      expectClose(y, want, 1e-4, `${c.key} logits at 24x24`);
      expect(report.posEmbed).toMatchObject({ fromTokens: 17, toTokens: 37, grid: [6, 6] });
      tf.dispose([y, want]);
    });
  }

  it('a head of another size is left out and the trunk still matches (fine-tuning)', async () => {
    const config = JSON.parse(fx.meta.config) as Record<string, unknown>;
    const model: VisionTransformer = createViT({ ...config, numClasses: 5 });
    const headBefore = model.stateDict().get('head.weight')!;
    const report = await loadTimmCheckpoint(model, fixturePath('mapping_timm.pth'));
    expect(report.droppedKeys).toEqual(['head.weight', 'head.bias']);
    const headAfter = model.stateDict().get('head.weight')!;
    expectClose(headAfter, headBefore, 0, 'the model keeps its own head');
    const feats = model.eval().forwardFeatures(x);
    const want = fx.tensor('out.timm_features');
    expectClose(feats, want, 1e-4, 'features');
    tf.dispose([headBefore, headAfter, feats, want]);
    model.dispose();
  });
});
