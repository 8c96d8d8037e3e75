// Google's JAX/flax ViT checkpoints (`ViT-B_16.npz`, google-research/vision_transformer) → timm
// keys and layouts, as timm's `_load_weights` converts them: Dense kernels are `[in, out]`
// (transposed), attention q/k/v kernels `[D, heads, headDim]` (flattened to `[D, D]`, transposed,
// fused into qkv), the output kernel `[heads, headDim, D]`, the patch conv HWIO (→ OIHW).
import * as tf from '@tensorflow/tfjs-core';
import { CheckpointError } from './errors';
import { type KeyMapping, mapKeepingUnknown } from './key_mapping';

/** Key prefixes of JAX checkpoints timm recognises (`opt/target/` for optimizer-state files). */
export const JAX_PREFIXES = ['opt/target/', ''] as const;

/**
 * The prefix a JAX state dict keeps its weights under (`'opt/target/'` for flax optimizer-state
 * files, else `''`).
 *
 * @example
 * jaxPrefix(new Map([['opt/target/embedding/kernel', k]])); // 'opt/target/'
 */
export function jaxPrefix(keys: { has(key: string): boolean }): string {
  for (const p of JAX_PREFIXES) if (keys.has(`${p}embedding/kernel`)) return p;
  return '';
}

/**
 * Is `key` optimizer state of a flax optimizer file (under `opt/` but not the weights' `opt/target/`)?
 * Those entries are left out as a .pth's `optimizer` entry is: the weights are a wrapper inside.
 */
export function isJaxOptimizerState(key: string, prefix: string): boolean {
  return prefix === 'opt/target/' && key.startsWith('opt/') && !key.startsWith(prefix);
}

/** Number of attention heads recorded in a JAX checkpoint's query kernel `[D, heads, headDim]`. */
export function jaxNumHeads(stateDict: ReadonlyMap<string, { shape: readonly number[] }>): number | undefined {
  const p = jaxPrefix(stateDict);
  const q = stateDict.get(`${p}Transformer/encoderblock_0/MultiHeadDotProductAttention_1/query/kernel`);
  return q && q.shape.length === 3 ? q.shape[1] : undefined;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function transposed(t: tf.Tensor): tf.Tensor {
  if (t.rank === 4) return tf.transpose(t, [3, 2, 0, 1]); // HWIO → OIHW
  if (t.rank === 2) return tf.transpose(t);
  return tf.clone(t);
}

/**
 * {@link mapJaxKeys} with the source keys it used (the optimizer state of an `opt/target/` file
 * counts as used: it is left out on purpose). Keys it does not know are not in `tensors`.
 *
 * @example
 * const { tensors, consumed } = jaxKeyMapping(stateDict);
 */
export function jaxKeyMapping(stateDict: ReadonlyMap<string, tf.Tensor>): KeyMapping {
  const p = jaxPrefix(stateDict);
  const out = new Map<string, tf.Tensor>();
  const consumed = new Set<string>([...stateDict.keys()].filter((k) => isJaxOptimizerState(k, p)));
  const get = (k: string) => {
    const t = stateDict.get(p + k);
    if (t) consumed.add(p + k);
    return t;
  };
  const put = (key: string, src: string, fn: (t: tf.Tensor) => tf.Tensor) => {
    const t = get(src);
    if (t) out.set(key, tf.tidy(() => fn(t)));
  };
  put('patch_embed.proj.weight', 'embedding/kernel', transposed);
  put('patch_embed.proj.bias', 'embedding/bias', tf.clone);
  put('cls_token', 'cls', tf.clone);
  put('pos_embed', 'Transformer/posembed_input/pos_embedding', tf.clone);
  put('norm.weight', 'Transformer/encoder_norm/scale', tf.clone);
  put('norm.bias', 'Transformer/encoder_norm/bias', tf.clone);
  put('pre_logits.fc.weight', 'pre_logits/kernel', transposed);
  put('pre_logits.fc.bias', 'pre_logits/bias', tf.clone);
  put('head.weight', 'head/kernel', transposed);
  put('head.bias', 'head/bias', tf.clone);
  for (let i = 0; get(`Transformer/encoderblock_${i}/LayerNorm_0/scale`); i++) {
    const b = `Transformer/encoderblock_${i}/`;
    const mha = `${b}MultiHeadDotProductAttention_1/`;
    const t = `blocks.${i}.`;
    put(`${t}norm1.weight`, `${b}LayerNorm_0/scale`, tf.clone);
    put(`${t}norm1.bias`, `${b}LayerNorm_0/bias`, tf.clone);
    put(`${t}norm2.weight`, `${b}LayerNorm_2/scale`, tf.clone);
    put(`${t}norm2.bias`, `${b}LayerNorm_2/bias`, tf.clone);
    const parts = ['query', 'key', 'value'].map((n) => [get(`${mha}${n}/kernel`), get(`${mha}${n}/bias`)] as const);
    const q = parts[0][0];
    if (!q || q.rank !== 3 || parts.some(([k]) => !k || !sameShape(k.shape, q.shape))) {
      const found = parts.map(([k], j) => `${['query', 'key', 'value'][j]} ${k ? `[${k.shape.join(', ')}]` : 'missing'}`).join(', ');
      throw new CheckpointError('CHECKPOINT_ARCH_MISMATCH', `${p}${mha}: expected query/key/value kernels of one shape [D, heads, headDim], found ${found}`);
    }
    out.set(`${t}attn.qkv.weight`, tf.tidy(() => tf.concat(parts.map(([k]) => tf.transpose(tf.reshape(k!, [q.shape[0]!, q.shape[1]! * q.shape[2]!]))), 0)));
    const biases = parts.filter(([, bias]) => bias).length;
    if (biases > 0 && biases < 3) {
      const found = parts.map(([, bias], j) => `${['query', 'key', 'value'][j]} ${bias ? `[${bias.shape.join(', ')}]` : 'missing'}`).join(', ');
      throw new CheckpointError('CHECKPOINT_ARCH_MISMATCH', `${p}${mha}: expected query/key/value biases all or none, found ${found}`);
    }
    if (biases === 3) out.set(`${t}attn.qkv.bias`, tf.tidy(() => tf.concat(parts.map(([, bias]) => tf.reshape(bias!, [bias!.size])), 0)));
    put(`${t}attn.proj.weight`, `${mha}out/kernel`, (k) => {
      const outDim = k.shape[k.rank - 1]!;
      return tf.transpose(tf.reshape(k, [k.size / Math.max(outDim, 1), outDim]));
    });
    put(`${t}attn.proj.bias`, `${mha}out/bias`, tf.clone);
    for (const r of [0, 1]) {
      put(`${t}mlp.fc${r + 1}.weight`, `${b}MlpBlock_3/Dense_${r}/kernel`, transposed);
      put(`${t}mlp.fc${r + 1}.bias`, `${b}MlpBlock_3/Dense_${r}/bias`, tf.clone);
    }
  }
  return { tensors: out, consumed };
}

/**
 * Converts a JAX ViT npz state dict to timm keys and layouts. Every output tensor is new (the
 * caller disposes them). Keys it does not know pass through under their own names (as clones), so
 * a strict load reports them as unexpected; a flax optimizer file's optimizer state (`opt/…`
 * outside `opt/target/`) is left out.
 *
 * @example
 * const { tensors } = await readCheckpoint('ViT-B_16.npz');
 * const sd = mapJaxKeys(tensors); // 'blocks.0.attn.qkv.weight' [2304, 768], ...
 */
export function mapJaxKeys(stateDict: ReadonlyMap<string, tf.Tensor>): Map<string, tf.Tensor> {
  const out = mapKeepingUnknown(jaxKeyMapping, stateDict);
  for (const [k, t] of out) if (stateDict.get(k) === t) out.set(k, tf.clone(t)); // passed through: new, as the rest
  return out;
}
