// createClassifier vs real timm 1.0.28 (tools/fixtures/gen_pipeline.py): the same test_vit
// checkpoint and image files, timm's resolve_data_config + create_transform + forward + softmax.
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { describeBackends, loadFixture, maxAbsDiff } from '@tfjs-vit/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createClassifier, type Classifier } from './classifier';
import type { DataConfigOverrides } from '@tfjs-vit/transforms';

const fx = loadFixture(new URL('../fixtures/predict.safetensors', import.meta.url));
const weights = fileURLToPath(new URL('../fixtures/test_vit.pth', import.meta.url));
const image = (name: string) => fileURLToPath(new URL(`../fixtures/images/${name}`, import.meta.url));
const cases = JSON.parse(fx.meta.cases) as { key: string; config: string; image: string }[];
const timmArgs = JSON.parse(fx.meta.configs) as Record<string, Record<string, unknown>>;

/** timm's resolve_data_config args, as our overrides. */
function overrides(args: Record<string, unknown>): DataConfigOverrides {
  const o: DataConfigOverrides = {};
  if (args.input_size) o.inputSize = args.input_size as number[];
  if (args.interpolation) o.interpolation = args.interpolation as DataConfigOverrides['interpolation'];
  if (args.crop_pct) o.cropPct = args.crop_pct as number;
  if (args.crop_mode) o.cropMode = args.crop_mode as DataConfigOverrides['cropMode'];
  if (args.mean) o.mean = args.mean as number[];
  if (args.std) o.std = args.std as number[];
  return o;
}

describeBackends('createClassifier vs timm 1.0.28 (test_vit, real image files)', (backend) => {
  const classifiers = new Map<string, Classifier>();
  const worst = { logit: 0, prob: 0 };
  beforeAll(async () => {
    for (const [name, args] of Object.entries(timmArgs)) {
      classifiers.set(name, await createClassifier({ weights, dataConfig: overrides(args) }));
    }
  });
  afterAll(async () => {
    for (const c of classifiers.values()) await c.dispose();
    console.log(`[${backend}] ${cases.length} image × config cases vs timm: max |logit diff| ${worst.logit.toExponential(2)}, max |prob diff| ${worst.prob.toExponential(2)}`);
  });

  it("names the architecture test_vit from the shapes and resolves timm's data config for each override set", () => {
    for (const [name, clf] of classifiers) {
      expect(clf.modelName).toBe('test_vit');
      const want = JSON.parse(fx.meta[`dataConfig.${name}`]) as Record<string, unknown>;
      expect(clf.dataConfig).toEqual({
        inputSize: want.input_size, interpolation: want.interpolation, mean: want.mean, std: want.std,
        cropPct: want.crop_pct, cropMode: want.crop_mode,
      });
    }
  });

  for (const c of cases) {
    it(`${c.key}: logits ≤ 1e-4 and top-5 = timm's (probabilities ≤ 1e-3)`, async () => {
      const clf = classifiers.get(c.config)!;
      const x = await clf.preprocess(image(c.image));
      const logits = tf.tidy(() => clf.model.forward(tf.tensor4d(x.data, [1, x.height, x.width, x.channels])));
      const want = fx.data(`logits.${c.key}`) as Float32Array;
      const d = maxAbsDiff(logits, want);
      worst.logit = Math.max(worst.logit, d);
      expect(d).toBeLessThanOrEqual(1e-4);
      logits.dispose();
      const [r] = await clf.classify(image(c.image), { topk: 5 });
      const wantIdx = Array.from(fx.data(`top5_index.${c.key}`));
      const wantProb = Array.from(fx.data(`top5_prob.${c.key}`));
      r.top!.forEach((p, i) => {
        worst.prob = Math.max(worst.prob, Math.abs(p.prob - wantProb[i]));
        expect(Math.abs(p.prob - wantProb[i])).toBeLessThanOrEqual(1e-3);
        // the same class at each rank, unless timm's own probabilities there tie to within 1e-6
        if (i + 1 < wantProb.length && Math.abs(wantProb[i] - wantProb[i + 1]) < 1e-6) return;
        expect(p.index).toBe(wantIdx[i]);
      });
      expect(r.top![0].label).toBeTypeOf('string'); // 1000 classes: ImageNet-1k names built in
    });
  }

  it("embed: 'prelogits' = timm's forward_head(pre_logits=True), 'avg' = the mean of the patch tokens", async () => {
    const clf = classifiers.get('default')!;
    const imgs = [image('rgb.jpg'), image('gray.png')];
    for (const [pool, key] of [['prelogits', 'embed.prelogits'], ['avg', 'embed.avg']] as const) {
      const got = await clf.embed(imgs, { pool });
      const want = fx.data(key) as Float32Array;
      const D = want.length / 2;
      const flat = new Float32Array(2 * D);
      got.forEach((g, i) => flat.set(g.embedding!, i * D));
      expect(maxAbsDiff(flat, want)).toBeLessThanOrEqual(1e-4);
    }
  });

  it("attention maps: rollout and the last block's class-token attention (per head too) = timm's weights rolled out in torch", async () => {
    const clf = classifiers.get('default')!;
    const r = await clf.attention(image('rgb.jpg'), { method: 'rollout', perHead: true });
    expect(r.grid).toEqual([10, 10]);
    expect([r.crop.height, r.crop.width]).toEqual([160, 160]);
    expect(maxAbsDiff(r.map, fx.data('attention.rollout'))).toBeLessThanOrEqual(1e-5);
    const heads = new Float32Array(r.heads!.length * 100);
    r.heads!.forEach((h, i) => heads.set(h, i * 100));
    expect(maxAbsDiff(heads, fx.data('attention.heads'))).toBeLessThanOrEqual(1e-5);
    const last = await clf.attention(image('rgb.jpg'), { method: 'last' });
    expect(maxAbsDiff(last.map, fx.data('attention.last'))).toBeLessThanOrEqual(1e-5);
    expect(last.top[0].index).toBe(fx.data('top5_index.default.rgb.jpg')[0]);
  });
});
