// The models of the timm round trip (docs/scaling-out.md): small ViTs whose every weight is set
// from a fixed integer sequence, so that tools/fixtures/export_for_timm.ts and the tests make the
// same bytes on any machine. tools/fixtures/gen_timm_roundtrip.py loads these files into timm.
import * as tf from '@tensorflow/tfjs-core';
import { createViT, type VisionTransformer, type VisionTransformerOptions } from '@tfjs-vit/models';

/** One round-trip model: our config and the same model as timm's `VisionTransformer(**timmKwargs)`. */
export interface RoundtripCase {
  name: string;
  config: VisionTransformerOptions;
  timmKwargs: Record<string, unknown>;
}

const BASE = { imgSize: 16, patchSize: 8, embedDim: 16, depth: 2, numHeads: 2, mlpRatio: 2 };
const BASE_TIMM = { img_size: 16, patch_size: 8, embed_dim: 16, depth: 2, num_heads: 2, mlp_ratio: 2 };

export const ROUNDTRIP_CASES: readonly RoundtripCase[] = [
  { name: 'vit', config: { ...BASE, numClasses: 5 }, timmKwargs: { ...BASE_TIMM, num_classes: 5 } },
  {
    // the state-dict keys a plain ViT does not have: LayerScale gammas, a register token, q/k norms
    name: 'vit_ls_reg',
    config: { ...BASE, numClasses: 4, initValues: 0.1, regTokens: 1, qkNorm: true, globalPool: 'avg' },
    timmKwargs: { ...BASE_TIMM, num_classes: 4, init_values: 0.1, reg_tokens: 1, qk_norm: true, global_pool: 'avg' },
  },
];

/** The metadata our exporter writes (what `tfjs-vit convert --format safetensors` writes). */
export const ROUNDTRIP_METADATA = { format: 'pt' };

export const roundtripFile = (name: string): string => `roundtrip_${name}_ours.safetensors`;

/** Uniform values in [-0.5, 0.5) from a 32-bit LCG (exact in any JS engine: integer arithmetic only). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
}

/** A value for each element of `key`: around timm's init, but no tensor constant (norms, biases, tokens all vary). */
function valuesOf(key: string, shape: number[], next: () => number): Float32Array {
  const n = shape.reduce((a, b) => a * b, 1);
  const leaf = key.slice(key.lastIndexOf('.') + 1);
  const fanIn = shape.length > 1 ? n / shape[0] : 1;
  const at: () => number =
    leaf === 'gamma' ? () => 0.1 + 0.2 * next()
    : shape.length === 1 && leaf === 'weight' ? () => 1 + 0.6 * next() // norms
    : leaf === 'bias' ? () => 0.4 * next()
    : shape.length === 3 ? () => next() // cls_token, reg_token, pos_embed
    : () => (2 * next()) / Math.sqrt(fanIn);
  return Float32Array.from({ length: n }, at);
}

/** The case's model with its deterministic weights (the caller disposes it). */
export function roundtripModel(c: RoundtripCase, seed = 0): VisionTransformer {
  const model = createViT(c.config);
  const next = lcg(seed + 1);
  const shapes = [...model.stateDict()].map(([k, t]): [string, number[]] => {
    const s: [string, number[]] = [k, [...t.shape]];
    t.dispose();
    return s;
  }).sort(([a], [b]) => (a < b ? -1 : 1)); // key order, not module order: the values follow the names
  const dict = new Map(shapes.map(([k, s]) => [k, tf.tensor(valuesOf(k, s, next), s)]));
  try {
    model.loadStateDict(dict, { strict: true });
  } finally {
    tf.dispose([...dict.values()]);
  }
  return model;
}
