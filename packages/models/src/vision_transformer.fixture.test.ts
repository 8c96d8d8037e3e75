// VisionTransformer against the PyTorch reference (tools/fixtures/gen_models.py) on cpu and wasm.
import * as tf from '@tensorflow/tfjs-core';
import { describeBackends, expectClose, loadFixture, maxAbsDiff, type Fixture } from '@tfjs-vit/testing';
import { expect, it } from 'vitest';
import { createConvStemViT } from './hybrid_vit';
import { createViT, type VisionTransformer } from './vision_transformer';

const ATOL = 1e-4;
const CASES = [
  'vit_cls_token',
  'vit_avg_fc_norm',
  'vit_nonsquare',
  'vit_pre_logits',
  'vit_reg_ls_qknorm',
  'vit_prenorm_avgmax',
  'vit_convstem',
  'vit_dynamic',
  'vit_dynamic_reg',
];

function fixture(name: string): Fixture {
  return loadFixture(new URL(`../fixtures/${name}.safetensors`, import.meta.url));
}

/** The fixture's model with its PyTorch weights, in eval mode. */
function loadModel(f: Fixture): VisionTransformer {
  const config = JSON.parse(f.meta.config);
  const vit = (f.meta.stem ? createConvStemViT({ ...config, stem: JSON.parse(f.meta.stem) }) : createViT(config)).eval();
  const sd = f.tensors('param.');
  vit.loadStateDict(sd);
  tf.dispose([...sd.values()]);
  return vit;
}

const nhwc = (t: tf.Tensor) => tf.transpose(t, [0, 2, 3, 1]);

describeBackends('VisionTransformer vs PyTorch', (backend) => {
  for (const name of CASES) {
    it(`${name}: logits, features, pre-logits, intermediates`, () => {
      const f = fixture(name);
      const vit = loadModel(f);
      tf.tidy(() => {
        expect(new Set(vit.stateDict().keys())).toEqual(new Set(f.tensors('param.').keys()));
        const x = nhwc(f.tensor('in.x'));
        const logits = vit.forward(x);
        expectClose(logits, f.tensor('out.logits'), ATOL, `${name} logits`);
        const feats = vit.forwardFeatures(x);
        expectClose(feats, f.tensor('out.features'), ATOL, `${name} features`);
        expectClose(vit.forwardHead(feats, { preLogits: true }), f.tensor('out.pre_logits'), ATOL, `${name} pre_logits`);
        const depth = vit.blocks.length;
        const inter = vit.getIntermediateLayers(x, depth);
        const interNorm = vit.getIntermediateLayers(x, [...Array(depth).keys()], { norm: true, reshape: true });
        for (let i = 0; i < depth; i++) {
          expectClose(inter[i], f.tensor(`out.inter.${i}`), ATOL, `${name} inter.${i}`);
          expectClose(interNorm[i], f.tensor(`out.inter_norm_nhwc.${i}`), ATOL, `${name} inter_norm.${i}`);
        }
        console.log(`[${backend}] ${name}: max |logits - torch| = ${maxAbsDiff(logits, f.tensor('out.logits')).toExponential(2)}`);
      });
      vit.dispose();
    });
  }

  it('attention weights of every block match', () => {
    const f = fixture('vit_cls_token');
    const vit = loadModel(f);
    tf.tidy(() => {
      const { logits, attentions } = vit.forwardWithAttention(nhwc(f.tensor('in.x')));
      expectClose(logits, f.tensor('out.logits'), ATOL, 'logits');
      attentions.forEach((a, i) => expectClose(a, f.tensor(`out.attn.${i}`), ATOL, `attn.${i}`));
      const only = vit.forwardWithAttention(nhwc(f.tensor('in.x')), { blocks: [-1] });
      expect(only.attentions.length).toBe(1);
      expectClose(only.attentions[0], f.tensor('out.attn.1'), ATOL, 'attn[-1]');
    });
    vit.dispose();
  });

  it('dynamicImgSize: forward at larger and smaller non-square sizes, as timm', () => {
    for (const name of ['vit_dynamic', 'vit_dynamic_reg']) {
      const f = fixture(name);
      const vit = loadModel(f);
      tf.tidy(() => {
        for (const tag of ['up', 'down']) {
          if (!f.has(`in.x_${tag}`)) continue;
          const logits = vit.forward(nhwc(f.tensor(`in.x_${tag}`)));
          expectClose(logits, f.tensor(`out.logits_${tag}`), ATOL, `${name} logits_${tag}`);
          console.log(`[${backend}] ${name} dynamic ${tag}: max diff ${maxAbsDiff(logits, f.tensor(`out.logits_${tag}`)).toExponential(2)}`);
        }
      });
      vit.dispose();
    }
  });

  it('setInputSize resamples pos_embed in place as timm (up 5x7 and down 3x2)', () => {
    for (const [name, grids] of [['vit_dynamic', [[5, 7], [3, 2]]], ['vit_dynamic_reg', [[5, 7]]]] as const) {
      for (const [gh, gw] of grids) {
        const f = fixture(name);
        const vit = loadModel(f);
        const patch = vit.config.patchSize;
        vit.dynamicImgSize = false;
        vit.setInputSize([gh * patch[0], gw * patch[1]]);
        expect(vit.patchEmbed.gridSize).toEqual([gh, gw]);
        tf.tidy(() => {
          expectClose(vit.posEmbed!.value, f.tensor(`out.pos_embed_${gh}x${gw}`), ATOL, `${name} pos_embed ${gh}x${gw}`);
        });
        vit.dispose();
      }
    }
    // after setInputSize the model takes the new size without dynamicImgSize, matching the dynamic forward
    const f = fixture('vit_dynamic');
    const vit = loadModel(f);
    vit.dynamicImgSize = false;
    vit.setInputSize([20, 28]);
    tf.tidy(() => {
      expectClose(vit.forward(nhwc(f.tensor('in.x_up'))), f.tensor('out.logits_up'), ATOL, 'logits after setInputSize');
    });
    vit.dispose();
  });

  it("NCHW input with dataFormat: 'NCHW' gives the same logits", () => {
    const f = fixture('vit_nonsquare');
    const vit = createViT({ ...JSON.parse(f.meta.config), dataFormat: 'NCHW' }).eval();
    const sd = f.tensors('param.');
    vit.loadStateDict(sd);
    tf.dispose([...sd.values()]);
    tf.tidy(() => {
      expectClose(vit.forward(f.tensor('in.x')), f.tensor('out.logits'), ATOL, 'NCHW logits');
    });
    vit.dispose();
  });
});
