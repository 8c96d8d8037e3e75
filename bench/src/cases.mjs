// The cases the benchmark times, full size and `--quick` (toy sizes, so CI runs every code path in
// seconds). One list drives ours and every peer: the same model config, batch, input and weights.
import { readFileSync } from 'node:fs';

/**
 * `train-head` is a head-only step: the backbone frozen and run off the gradient tape (a linear
 * probe), the head trained with AdamW.
 * @typedef {{ name: string, model: string, overrides: Record<string, unknown>, kind: 'infer' | 'train' | 'train-head', batch: number, imgSize: number }} BenchCase
 */

/** Toy config of `--quick`: a two-block Ti at 32 px. */
const QUICK = { imgSize: 32, depth: 2, numClasses: 10 };

/** @returns {BenchCase[]} */
export function benchCases(quick) {
  /** @type {(model: string, kind: BenchCase['kind'], batch: number, imgSize: number) => BenchCase} */
  const c = (model, kind, batch, imgSize) => ({
    name: `${model}/${kind}/b${batch}`,
    model,
    overrides: quick ? QUICK : {},
    kind,
    batch,
    imgSize: quick ? QUICK.imgSize : imgSize,
  });
  if (quick) {
    return [
      c('vit_tiny_patch16_224', 'infer', 1, 32), c('vit_tiny_patch16_224', 'infer', 4, 32),
      c('vit_tiny_patch16_224', 'train', 4, 32), c('vit_tiny_patch16_224', 'train-head', 4, 32),
    ];
  }
  return [
    c('vit_base_patch16_224', 'infer', 1, 224),
    c('vit_base_patch16_224', 'infer', 8, 224),
    c('vit_base_patch16_224', 'infer', 32, 224),
    c('vit_base_patch16_384', 'infer', 1, 384),
    c('vit_tiny_patch16_224', 'train', 8, 224),
    c('vit_small_patch16_224', 'train', 8, 224),
    c('vit_base_patch16_224', 'train-head', 32, 224),
  ];
}

/**
 * Checkpoint conversions, each in a process of its own (its peak RSS is the figure): the model's
 * weights as a PyTorch `.pth` (written by the PyTorch peer; the safetensors file when there is no
 * torch) to ONNX and to safetensors.
 * @typedef {{ name: string, model: string, overrides: Record<string, unknown>, format: 'onnx' | 'safetensors' }} ConvertCase
 * @returns {ConvertCase[]}
 */
export function convertCases(quick) {
  const model = quick ? 'vit_tiny_patch16_224' : 'vit_base_patch16_224';
  return ['onnx', 'safetensors'].map((format) => ({ name: `${model}/convert/${format}`, model, overrides: quick ? QUICK : {}, format }));
}

/** The data loader case: generated JPEGs through the training transform, at each worker count. */
export function loaderCase(quick) {
  return { name: 'loader/rrc224/b16', count: quick ? 16 : 96, workers: quick ? [0, 1] : [0, 1, 2] };
}

/** A model's weights and ONNX export are shared by the cases that use it: keyed by this. */
export const modelKey = (/** @type {BenchCase} */ c) => c.model;

/** The seeded input of a case, NHWC float32 in [-1, 1), and integer labels for training cases. */
export function caseInput(/** @type {BenchCase} */ c) {
  const n = c.batch * c.imgSize * c.imgSize * 3;
  const x = new Float32Array(n);
  let s = 0x9e3779b9 ^ (c.batch * 7919 + c.imgSize);
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    x[i] = ((s >>> 0) / 2 ** 32) * 2 - 1;
  }
  const labels = Int32Array.from({ length: c.batch }, (_, i) => (i * 7) % 10);
  return { x, shape: [c.batch, c.imgSize, c.imgSize, 3], labels };
}

export const median = (/** @type {number[]} */ xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Median seconds of `runs` timed calls after `warmup` untimed ones. */
export async function timeIt(fn, { runs, warmup = 1 }) {
  for (let i = 0; i < warmup; i++) await fn();
  const ts = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    ts.push((performance.now() - t0) / 1000);
  }
  return median(ts);
}

/** A raw little-endian file of float32 or int32 values (what the benchmark's processes exchange). */
export function readArray(path, Type = Float32Array) {
  const b = readFileSync(path);
  return new Type(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}
