// End to end against real PyTorch: checkpoints from tools/fixtures/gen_convert_mapping.py (timm,
// torchvision, Hugging Face with LayerNorm eps 1e-12, JAX) → fromTimm → exportOnnx → onnxruntime
// gives PyTorch's logits; and the same models through the tfjs web format give them too.
import * as tf from '@tensorflow/tfjs-core';
import { describeBackends, loadFixture, maxAbsDiff } from '@tfjs-vit/testing';
import { expect, it } from 'vitest';
import { fixturePath } from './fixtures.testutil';
import { fromTimm } from './from_timm';
import { fromTfjsArtifacts } from './load_model';
import { exportOnnx } from './onnx_export';
import { toTfjsArtifacts } from './tfjs_format';

const ort = await import('onnxruntime-node');
const fx = loadFixture(fixturePath('mapping_expected.safetensors'));
const CASES = [
  { file: 'mapping_timm.pth', key: 'timm' },
  { file: 'mapping_torchvision.pth', key: 'tv' },
  { file: 'mapping_hf.safetensors', key: 'hf' },
  { file: 'mapping_jax.npz', key: 'jax' },
] as const;

describeBackends('PyTorch checkpoints → exportOnnx / tfjs web format', () => {
  for (const c of CASES) {
    it(`${c.key}: onnxruntime on our ONNX export and our model reloaded from model.json give PyTorch's logits (≤ 1e-4)`, async () => {
      const model = await fromTimm(fixturePath(c.file), { model: c.file.endsWith('.npz') ? undefined : { numHeads: 2 } });
      model.eval();
      const x = fx.tensor('in.x'); // NCHW, as PyTorch saw it
      const want = fx.tensor(`out.${c.key}_logits`);
      const session = await ort.InferenceSession.create(exportOnnx(model, { dataFormat: 'NCHW' }));
      const out = await session.run({ pixel_values: new ort.Tensor('float32', Float32Array.from(x.dataSync() as Float32Array), x.shape) });
      const onnxDiff = maxAbsDiff(out.logits.data as Float32Array, want);
      const copy = fromTfjsArtifacts(toTfjsArtifacts(model));
      const y = tf.tidy(() => copy.forward(tf.transpose(x, [0, 2, 3, 1])));
      const tfjsDiff = maxAbsDiff(y, want);
      const scale = Math.max(...(want.dataSync() as Float32Array).map(Math.abs));
      console.log(`${c.key}: onnxruntime vs PyTorch ${onnxDiff.toExponential(2)}, tfjs-format reload vs PyTorch ${tfjsDiff.toExponential(2)} (max |logit| ${scale.toFixed(3)})`);
      expect(onnxDiff).toBeLessThanOrEqual(1e-4);
      expect(tfjsDiff).toBeLessThanOrEqual(1e-4);
      tf.dispose([x, want, y]);
      copy.dispose();
      model.dispose();
      await session.release();
    });
  }
});
