// ONNX subgraphs of a ViT's parts (LayerNorm, Linear, GELU, attention, MLP, block), built from our
// layers' weights. Each returns its output name; unsupported parts are reported, not guessed.
import * as tf from '@tensorflow/tfjs-core';
import { Attention, GELU, Identity, LayerNorm, LayerScale, Linear, Mlp, type Parameter, type TensorModule } from '@tfjs-vit/layers';
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

/** GELU from Erf (exact) or Tanh (approximate='tanh'): the Gelu op only arrives in opset 20. */
export function gelu(g: OnnxGraphBuilder, x: string, act: GELU, path: string): string {
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
  }
  if (!isA(b.mlp, Mlp)) out.push(`${path}.mlp: ${kind(b.mlp)} (Mlp only, e.g. no SwiGLU)`);
  else {
    if (!isA(b.mlp!.act, GELU)) out.push(`${path}.mlp.act: ${kind(b.mlp!.act)} (GELU only)`);
    checkNorm(b.mlp!.norm, `${path}.mlp.norm`, out);
  }
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
  const probs = g.op('Softmax', [scores], { axis: -1 }, `${path}.softmax`);
  const ctx = g.op('MatMul', [probs, v], {}, `${path}.av`);
  const merged = g.op('Reshape', [g.op('Transpose', [ctx], { perm: [0, 2, 1, 3] }, path), g.int64s([0, 0, dim])], {}, path);
  return linear(g, merged, attn.proj, `${path}.proj`);
}

/** One pre-norm block: `x + ls1(attn(norm1(x)))`, then `x + ls2(mlp(norm2(x)))` (eval mode). */
export function block(g: OnnxGraphBuilder, x: string, blk: unknown, path: string): string {
  const b = blk as BlockParts;
  const a = layerScale(g, attention(g, layerNorm(g, x, b.norm1, `${path}.norm1`), b.attn, `${path}.attn`), b.ls1, `${path}.ls1`);
  const x1 = g.op('Add', [x, a], {}, `${path}.residual1`);
  const mlp = b.mlp;
  let h = linear(g, layerNorm(g, x1, b.norm2, `${path}.norm2`), mlp.fc1, `${path}.mlp.fc1`);
  h = gelu(g, h, mlp.act as GELU, `${path}.mlp.act`);
  h = linear(g, layerNorm(g, h, mlp.norm, `${path}.mlp.norm`), mlp.fc2, `${path}.mlp.fc2`);
  return g.op('Add', [x1, layerScale(g, h, b.ls2, `${path}.ls2`)], {}, `${path}.residual2`);
}
