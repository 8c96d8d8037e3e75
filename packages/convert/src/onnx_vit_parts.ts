// ONNX subgraphs of a ViT's parts (LayerNorm, Linear, GELU, attention, MLP, block), built from our
// layers' weights. Each returns its output name; unsupported parts are reported, not guessed.
import * as tf from '@tensorflow/tfjs-core';
import { Attention, AttentionPoolLatent, GELU, Identity, LayerNorm, LayerScale, Linear, Mlp, QuickGELU, type Parameter, type TensorModule } from '@tfjs-vit/layers';
import { float, type OnnxGraphBuilder } from './onnx_graph';

/** Collects what the exporter cannot express, as `path: what` strings. */
export type Unsupported = string[];

/**
 * Reads a parameter's values in our internal layout (Linear weights are `[in, out]`: MatMul's
 * layout) when the graph is written. On the cpu backend this is the variable's own storage (no
 * copy): read it, never write it.
 */
export function internalValues(p: Parameter): () => Float32Array {
  return () => p.value.dataSync() as Float32Array;
}

/** A parameter's shape in timm's (PyTorch's) layout, and a reader of its values in that layout. */
export function stateValues(p: Parameter): { shape: number[]; values: () => Float32Array } {
  const values = () => {
    const t = tf.tidy(() => p.layout.toState(p.variable));
    const data = t.dataSync() as Float32Array; // stays valid after dispose: we hold the array
    t.dispose();
    return data;
  };
  return { shape: p.stateShape, values };
}

/** An exact class match: a subclass may override `forward`, so its math is not known here. */
function isA(m: unknown, cls: abstract new (...args: never[]) => unknown): boolean {
  return m != null && Object.getPrototypeOf(m) === cls.prototype;
}

function kind(m: unknown): string {
  return (m as object)?.constructor?.name ?? typeof m;
}

/** Checks a norm slot (LayerNorm or Identity). */
export function checkNorm(m: TensorModule, path: string, out: Unsupported): void {
  if (!(isA(m, LayerNorm) || m instanceof Identity)) out.push(`${path}: ${kind(m)} (LayerNorm or Identity only)`);
}

/** LayerNormalization over the last axis (opset 17), or nothing for Identity. */
export function layerNorm(g: OnnxGraphBuilder, x: string, m: TensorModule, path: string): string {
  if (m instanceof Identity) return x;
  const ln = m as LayerNorm;
  const scale = ln.weight ? g.floats(`${path}.weight`, [ln.dim], internalValues(ln.weight)) : g.floats(`${path}.weight`, [ln.dim], new Float32Array(ln.dim).fill(1));
  const bias = ln.bias ? g.floats(`${path}.bias`, [ln.dim], internalValues(ln.bias)) : g.floats(`${path}.bias`, [ln.dim], new Float32Array(ln.dim));
  return g.op('LayerNormalization', [x, scale, bias], { axis: -1, epsilon: float(ln.eps) }, path);
}

/** `x @ W + b` with W in `[in, out]` (MatMul then Add). */
export function linear(g: OnnxGraphBuilder, x: string, lin: Linear, path: string): string {
  const w = g.floats(`${path}.weight`, [lin.inFeatures, lin.outFeatures], internalValues(lin.weight));
  const y = g.op('MatMul', [x, w], {}, `${path}.matmul`);
  if (!lin.bias) return y;
  return g.op('Add', [y, g.floats(`${path}.bias`, [lin.outFeatures], internalValues(lin.bias))], {}, `${path}.add`);
}

/**
 * GELU from Erf (exact) or Tanh (approximate='tanh') — the Gelu op only arrives in opset 20 — or
 * QuickGELU, `x · sigmoid(1.702 x)`.
 */
export function gelu(g: OnnxGraphBuilder, x: string, act: GELU | QuickGELU, path: string): string {
  if (act instanceof QuickGELU) return g.op('Mul', [x, g.op('Sigmoid', [g.op('Mul', [x, g.scalar(`${path}.k`, 1.702)], {}, path)], {}, path)], {}, path);
  const half = g.scalar(`${path}.half`, 0.5);
  const one = g.scalar(`${path}.one`, 1);
  let inner: string;
  if (act.approximate === 'tanh') {
    const cube = g.op('Mul', [g.op('Mul', [x, x], {}, path), x], {}, path);
    const poly = g.op('Add', [x, g.op('Mul', [cube, g.scalar(`${path}.c`, 0.044715)], {}, path)], {}, path);
    inner = g.op('Tanh', [g.op('Mul', [poly, g.scalar(`${path}.k`, Math.sqrt(2 / Math.PI))], {}, path)], {}, path);
  } else {
    inner = g.op('Erf', [g.op('Div', [x, g.scalar(`${path}.sqrt2`, Math.SQRT2)], {}, path)], {}, path);
  }
  return g.op('Mul', [g.op('Mul', [x, half], {}, path), g.op('Add', [inner, one], {}, path)], {}, path);
}

function layerScale(g: OnnxGraphBuilder, x: string, m: TensorModule, path: string): string {
  if (m instanceof Identity) return x;
  const ls = m as LayerScale;
  return g.op('Mul', [x, g.floats(`${path}.gamma`, ls.gamma.shape, internalValues(ls.gamma))], {}, path);
}

/** What a ViT block must look like to be exported (timm's Block built from our layers). */
interface BlockParts {
  norm1: TensorModule;
  attn: Attention;
  ls1: TensorModule;
  norm2: TensorModule;
  mlp: Mlp;
  ls2: TensorModule;
}

/** Lists why `blk` cannot be exported (nothing when it can). */
export function checkBlock(blk: unknown, path: string, out: Unsupported): void {
  const b = blk as Partial<BlockParts>;
  if (!b || !('attn' in b) || !('mlp' in b) || !('norm1' in b)) {
    out.push(`${path}: ${kind(blk)} (timm's Block only)`);
    return;
  }
  checkNorm(b.norm1!, `${path}.norm1`, out);
  checkNorm(b.norm2!, `${path}.norm2`, out);
  for (const ls of ['ls1', 'ls2'] as const) {
    if (!(isA(b[ls], LayerScale) || b[ls] instanceof Identity)) out.push(`${path}.${ls}: ${kind(b[ls])}`);
  }
  if (!isA(b.attn, Attention)) out.push(`${path}.attn: ${kind(b.attn)} (Attention only)`);
  else {
    checkNorm(b.attn!.qNorm, `${path}.attn.q_norm`, out);
    checkNorm(b.attn!.kNorm, `${path}.attn.k_norm`, out);
    checkNorm(b.attn!.norm, `${path}.attn.norm`, out);
  }
  if (!isA(b.mlp, Mlp)) out.push(`${path}.mlp: ${kind(b.mlp)} (Mlp only, e.g. no SwiGLU)`);
  else {
    checkAct(b.mlp!.act, `${path}.mlp.act`, out);
    checkNorm(b.mlp!.norm, `${path}.mlp.norm`, out);
  }
}

function checkAct(act: TensorModule, path: string, out: Unsupported): void {
  if (!(isA(act, GELU) || isA(act, QuickGELU))) out.push(`${path}: ${kind(act)} (GELU or QuickGELU only)`);
}

/** Checks an attention pool (`globalPool: 'map'`): its norm and MLP activation. */
export function checkAttentionPool(pool: AttentionPoolLatent, out: Unsupported): void {
  if (!isA(pool, AttentionPoolLatent)) out.push(`attn_pool: ${kind(pool)} (AttentionPoolLatent only)`);
  checkNorm(pool.norm, 'attn_pool.norm', out);
  checkAct(pool.mlp.act, 'attn_pool.mlp.act', out);
  if (!isA(pool.mlp, Mlp)) out.push(`attn_pool.mlp: ${kind(pool.mlp)} (Mlp only)`);
  if (pool.poolType !== 'token') out.push(`attn_pool.poolType: '${pool.poolType}' ('token' only)`);
}

/** Multi-head self-attention on `[B, N, D]` tokens. */
function attention(g: OnnxGraphBuilder, x: string, attn: Attention, path: string): string {
  const { numHeads: heads, headDim, dim } = attn;
  const qkv = linear(g, x, attn.qkv, `${path}.qkv`);
  // [B, N, 3D] → [B, N, 3, heads, headDim] → [3, B, heads, N, headDim], as timm's reshape/permute
  const split = g.op('Transpose', [g.op('Reshape', [qkv, g.int64s([0, 0, 3, heads, headDim])], {}, path)], { perm: [2, 0, 3, 1, 4] }, path);
  const pick = (i: number, name: string) => g.op('Gather', [split, g.int64s([i], [])], { axis: 0 }, `${path}.${name}`);
  const q = layerNorm(g, pick(0, 'q'), attn.qNorm, `${path}.q_norm`);
  const k = layerNorm(g, pick(1, 'k'), attn.kNorm, `${path}.k_norm`);
  const v = pick(2, 'v');
  const kt = g.op('Transpose', [k], { perm: [0, 1, 3, 2] }, `${path}.kT`);
  const scores = g.op('Mul', [g.op('MatMul', [q, kt], {}, `${path}.qk`), g.scalar(`${path}.scale`, attn.scale)], {}, `${path}.scores`);
  const merged = attend(g, q, k, v, attn.scale, dim, path);
  return linear(g, layerNorm(g, merged, attn.norm, `${path}.norm`), attn.proj, `${path}.proj`);
}

/** `softmax(q kᵀ · scale) v` on `[B, heads, N, headDim]`, heads merged back to `[B, Nq, dim]`. */
function attend(g: OnnxGraphBuilder, q: string, k: string, v: string, scale: number, dim: number, path: string): string {
  const kt = g.op('Transpose', [k], { perm: [0, 1, 3, 2] }, `${path}.kT`);
  const scores = g.op('Mul', [g.op('MatMul', [q, kt], {}, `${path}.qk`), g.scalar(`${path}.scale`, scale)], {}, `${path}.scores`);
  const probs = g.op('Softmax', [scores], { axis: -1 }, `${path}.softmax`);
  const ctx = g.op('MatMul', [probs, v], {}, `${path}.av`);
  return g.op('Reshape', [g.op('Transpose', [ctx], { perm: [0, 2, 1, 3] }, path), g.int64s([0, 0, dim])], {}, path);
}

function mlpBranch(g: OnnxGraphBuilder, x: string, mlp: Mlp, path: string): string {
  let h = linear(g, x, mlp.fc1, `${path}.fc1`);
  h = gelu(g, h, mlp.act as GELU | QuickGELU, `${path}.act`);
  return linear(g, layerNorm(g, h, mlp.norm, `${path}.norm`), mlp.fc2, `${path}.fc2`);
}

/**
 * SigLIP's attention pool on `[B, N, D]` tokens → `[B, D]`: the latent query attends over the
 * tokens (k and v from the fused `kv`), `proj`, then `x + mlp(norm(x))`, first latent.
 */
export function attentionPool(g: OnnxGraphBuilder, x: string, pool: AttentionPoolLatent, path: string): string {
  const { numHeads: heads, headDim, dim } = pool;
  const lat = pool.latent;
  // the latent is the same for every image: q is computed once on [1, L, D] and broadcast over the batch
  const q0 = linear(g, g.floats(`${path}.latent`, lat.shape, internalValues(lat)), pool.q, `${path}.q`);
  const q = g.op('Transpose', [g.op('Reshape', [q0, g.int64s([1, pool.latentLen, heads, headDim])], {}, `${path}.q`)], { perm: [0, 2, 1, 3] }, `${path}.q`);
  const kv = linear(g, x, pool.kv, `${path}.kv`);
  const split = g.op('Transpose', [g.op('Reshape', [kv, g.int64s([0, 0, 2, heads, headDim])], {}, path)], { perm: [2, 0, 3, 1, 4] }, path);
  const pick = (i: number, name: string) => g.op('Gather', [split, g.int64s([i], [])], { axis: 0 }, `${path}.${name}`);
  const merged = attend(g, q, pick(0, 'k'), pick(1, 'v'), headDim ** -0.5, dim, path);
  const y = linear(g, merged, pool.proj, `${path}.proj`);
  const out = g.op('Add', [y, mlpBranch(g, layerNorm(g, y, pool.norm, `${path}.norm`), pool.mlp, `${path}.mlp`)], {}, `${path}.residual`);
  return g.op('Gather', [out, g.int64s([0], [])], { axis: 1 }, `${path}.pool`);
}

/** One pre-norm block: `x + ls1(attn(norm1(x)))`, then `x + ls2(mlp(norm2(x)))` (eval mode). */
export function block(g: OnnxGraphBuilder, x: string, blk: unknown, path: string): string {
  const b = blk as BlockParts;
  const a = layerScale(g, attention(g, layerNorm(g, x, b.norm1, `${path}.norm1`), b.attn, `${path}.attn`), b.ls1, `${path}.ls1`);
  const x1 = g.op('Add', [x, a], {}, `${path}.residual1`);
  const h = mlpBranch(g, layerNorm(g, x1, b.norm2, `${path}.norm2`), b.mlp, `${path}.mlp`);
  return g.op('Add', [x1, layerScale(g, h, b.ls2, `${path}.ls2`)], {}, `${path}.residual2`);
}
