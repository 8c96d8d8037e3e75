// big_vision npz checkpoints (SigLIP `webli_*.npz`, big_vision ViT classifiers) → timm keys and
// layouts, as timm's `_load_weights` converts them when the arrays sit under `params/` or
// `params/img/` (a two-tower model's image tower). big_vision differs from google-research's ViT
// npz (map_jax.ts): the position embedding is top-level `pos_embedding`; blocks name their parts
// `MultiHeadDotProductAttention_0`, `LayerNorm_0`/`LayerNorm_1`, `MlpBlock_0`; blocks may be
// scanned (one `Transformer/encoderblock/` array per parameter, the depth axis first); SigLIP has
// no class token and pools with a `MAPHead_0` (timm's `attn_pool`, AttentionPoolLatent).
// Kernels are flax's: Dense `[in, out]`, attention `[D, heads, headDim]`, out `[heads, headDim, D]`, conv HWIO.
import * as tf from '@tensorflow/tfjs-core';
import { CheckpointError } from './errors';

/** Key prefixes of big_vision npz files timm recognises: a two-tower image tower first. */
export const BIG_VISION_PREFIXES = ['params/img/', 'params/'] as const;

const SCANNED = 'Transformer/encoderblock/';
const UNSCANNED = /^Transformer\/encoderblock_(\d+)\//;
const MAP_HEAD = 'MAPHead_0/';

/**
 * The prefix the image tower's arrays sit under: `params/img/` when any key has it, else `params/`.
 *
 * @example
 * bigVisionPrefix(['params/img/embedding/kernel', 'params/txt/Embed_0/embedding']); // 'params/img/'
 */
export function bigVisionPrefix(keys: Iterable<string>): string {
  for (const k of keys) if (k.startsWith(BIG_VISION_PREFIXES[0])) return BIG_VISION_PREFIXES[0];
  return BIG_VISION_PREFIXES[1];
}

function shapeText(t: { shape: readonly number[] } | undefined): string {
  return t ? `[${t.shape.join(', ')}]` : 'missing';
}

/** Number of attention heads recorded in a big_vision query kernel (`[D, heads, headDim]`, scanned `[depth, D, heads, headDim]`). */
export function bigVisionNumHeads(stateDict: ReadonlyMap<string, { shape: readonly number[] }>): number | undefined {
  const p = bigVisionPrefix(stateDict.keys());
  const q = stateDict.get(`${p}${SCANNED}MultiHeadDotProductAttention_0/query/kernel`) ??
    stateDict.get(`${p}Transformer/encoderblock_0/MultiHeadDotProductAttention_0/query/kernel`) ??
    stateDict.get(`${p}${MAP_HEAD}MultiHeadDotProductAttention_0/query/kernel`);
  return q && q.shape.length >= 3 ? q.shape[q.shape.length - 2] : undefined;
}

type Get = (rel: string) => tf.Tensor | undefined;

/** `[in, out]` → `[out, in]`; HWIO → OIHW. */
function torchLayout(t: tf.Tensor): tf.Tensor {
  if (t.rank === 4) return tf.transpose(t, [3, 2, 0, 1]);
  if (t.rank === 2) return tf.transpose(t);
  return t;
}

/** flax attention kernels `[D, heads, headDim]` of `names`, as one torch Linear `[parts·heads·headDim, D]` (+ bias). */
function fusedLinear(get: Get, mha: string, names: readonly string[], out: Map<string, tf.Tensor>, to: string, where: string): void {
  const kernels = names.map((n) => get(`${mha}${n}/kernel`));
  const k0 = kernels[0];
  if (!k0 || k0.rank !== 3 || kernels.some((k) => !k || k.shape.join() !== k0.shape.join())) {
    const found = names.map((n, j) => `${n} ${shapeText(kernels[j])}`).join(', ');
    throw new CheckpointError('CHECKPOINT_ARCH_MISMATCH', `${where}${mha}: expected ${names.join('/')} kernels of one shape [D, heads, headDim], found ${found}`);
  }
  const [d, h, hd] = k0.shape as [number, number, number];
  out.set(`${to}.weight`, tf.concat(kernels.map((k) => tf.transpose(tf.reshape(k!, [d, h * hd]))), 0));
  const biases = names.map((n) => get(`${mha}${n}/bias`));
  if (biases.every((b) => b)) out.set(`${to}.bias`, tf.concat(biases.map((b) => tf.reshape(b!, [b!.size])), 0));
}

/** Attention, norms and MLP of one block (or the MAPHead) from `get`, under timm prefix `t`. */
function mapAttentionBlock(get: Get, out: Map<string, tf.Tensor>, parts: { qkv: [string, readonly string[]][]; norms: [string, string][]; proj: string; mlp: string }, where: string): void {
  const mha = 'MultiHeadDotProductAttention_0/';
  for (const [to, names] of parts.qkv) fusedLinear(get, mha, names, out, to, where);
  const put = (key: string, t: tf.Tensor | undefined, fn: (x: tf.Tensor) => tf.Tensor = (x) => x) => t && out.set(key, fn(t));
  put(`${parts.proj}.weight`, get(`${mha}out/kernel`), (k) => {
    const d = k.shape[k.rank - 1]!;
    return tf.transpose(tf.reshape(k, [k.size / Math.max(d, 1), d]));
  });
  put(`${parts.proj}.bias`, get(`${mha}out/bias`));
  for (const [ln, to] of parts.norms) {
    put(`${to}.weight`, get(`${ln}/scale`));
    put(`${to}.bias`, get(`${ln}/bias`));
  }
  for (const r of [0, 1]) {
    put(`${parts.mlp}.fc${r + 1}.weight`, get(`MlpBlock_0/Dense_${r}/kernel`), torchLayout);
    put(`${parts.mlp}.fc${r + 1}.bias`, get(`MlpBlock_0/Dense_${r}/bias`));
  }
}

/**
 * Converts a big_vision npz state dict (keys under `params/img/` or `params/`) to timm keys and
 * layouts as timm's `_load_weights` does: patch conv HWIO → OIHW, Dense kernels transposed,
 * per-block query/key/value fused into `attn.qkv`, scanned blocks split along their first axis,
 * and SigLIP's `MAPHead_0` → `attn_pool.{latent, q, kv, proj, norm, mlp.fc1, mlp.fc2}` (key and
 * value fused into `kv`). Only the image tower is read (text tower, `params/t`, `params/b` are left
 * out); an image-tower array the mapping does not use passes through under its own name, so a
 * strict load reports it. Works on any subset holding whole blocks (streaming maps block by block). Arrays taken as
 * they are keep their object; the rest are new. Mismatched attention kernels are a `CheckpointError`.
 *
 * @example
 * const { tensors } = await readCheckpoint('webli_en_b16_224_63724782.npz');
 * const sd = mapBigVisionKeys(tensors); // 'attn_pool.kv.weight' [1536, 768], 'blocks.0.attn.qkv.weight' [2304, 768], ...
 */
export function mapBigVisionKeys(stateDict: ReadonlyMap<string, tf.Tensor>, prefix: string = bigVisionPrefix(stateDict.keys())): Map<string, tf.Tensor> {
  // tidy: the slices and reshapes in between are freed, what is returned is kept
  return new Map(Object.entries(tf.tidy(() => Object.fromEntries(mapInto(stateDict, prefix)))));
}

function mapInto(stateDict: ReadonlyMap<string, tf.Tensor>, prefix: string): Map<string, tf.Tensor> {
  const out = new Map<string, tf.Tensor>();
  const used = new Set<string>();
  const get: Get = (k) => {
    used.add(prefix + k);
    return stateDict.get(prefix + k);
  };
  const put = (key: string, t: tf.Tensor | undefined, fn: (x: tf.Tensor) => tf.Tensor = (x) => x) => t && out.set(key, fn(t));
  put('patch_embed.proj.weight', get('embedding/kernel'), torchLayout);
  put('patch_embed.proj.bias', get('embedding/bias'));
  put('cls_token', get('cls'));
  put('pos_embed', get('pos_embedding'));
  put('norm.weight', get('Transformer/encoder_norm/scale'));
  put('norm.bias', get('Transformer/encoder_norm/bias'));
  put('head.weight', get('head/kernel'), torchLayout);
  put('head.bias', get('head/bias'));

  const block = (t: string): Parameters<typeof mapAttentionBlock>[2] => ({
    qkv: [[`${t}attn.qkv`, ['query', 'key', 'value']]], proj: `${t}attn.proj`, mlp: `${t}mlp`,
    norms: [['LayerNorm_0', `${t}norm1`], ['LayerNorm_1', `${t}norm2`]],
  });
  const scannedScale = get(`${SCANNED}LayerNorm_0/scale`);
  if (scannedScale) {
    const depth = scannedScale.shape[0]!;
    for (let i = 0; i < depth; i++) {
      const at: Get = (rel) => {
        const t = get(SCANNED + rel);
        if (!t) return undefined;
        if (t.shape[0] !== depth) {
          throw new CheckpointError('CHECKPOINT_ARCH_MISMATCH', `${prefix}${SCANNED}${rel}: a scanned array needs the depth axis (${depth}, from LayerNorm_0/scale) first, got ${shapeText(t)}`);
        }
        return tf.squeeze(tf.slice(t, [i, ...t.shape.slice(1).map(() => 0)], [1, ...t.shape.slice(1)]), [0]);
      };
      mapAttentionBlock(at, out, block(`blocks.${i}.`), `${prefix}${SCANNED}[${i}] `);
    }
  }
  const blockIds = new Set<string>();
  for (const k of stateDict.keys()) {
    const m = k.startsWith(prefix) ? UNSCANNED.exec(k.slice(prefix.length)) : null;
    if (m) blockIds.add(m[1]);
  }
  for (const i of blockIds) {
    const b = `Transformer/encoderblock_${i}/`;
    mapAttentionBlock((rel) => get(b + rel), out, block(`blocks.${i}.`), `${prefix}${b}`);
  }

  if ([...stateDict.keys()].some((k) => k.startsWith(prefix + MAP_HEAD))) {
    const probe = get(`${MAP_HEAD}probe`);
    if (!probe || probe.rank !== 3) {
      throw new CheckpointError('CHECKPOINT_ARCH_MISMATCH', `${prefix}${MAP_HEAD}probe: expected the attention-pool latent [1, latentLen, D], got ${shapeText(probe)}`);
    }
    out.set('attn_pool.latent', probe);
    mapAttentionBlock((rel) => get(MAP_HEAD + rel), out, {
      qkv: [['attn_pool.q', ['query']], ['attn_pool.kv', ['key', 'value']]], proj: 'attn_pool.proj', mlp: 'attn_pool.mlp',
      norms: [['LayerNorm_0', 'attn_pool.norm']],
    }, `${prefix}${MAP_HEAD}`);
  }
  for (const [k, t] of stateDict) if (k.startsWith(prefix) && !used.has(k)) out.set(k, t);
  return out;
}
