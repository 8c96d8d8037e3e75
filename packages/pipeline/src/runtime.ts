// Where a classifier's forward pass runs: tfjs (the model itself, on the active tfjs backend) or
// onnxruntime-node on our ONNX export of it (an optional peer; ~10x faster than tfjs-wasm on a CPU).
import * as tf from '@tensorflow/tfjs-core';
import { exportOnnx } from '@tfjs-vit/convert';
import type { VisionTransformer } from '@tfjs-vit/models';
import { ArgumentError, TfjsVitError } from '@tfjs-vit/ops';

/** The runtimes a classifier can use. */
export type Runtime = 'tfjs' | 'onnxruntime';

/** Runs NHWC float32 batches to logits. */
export interface LogitsRunner {
  readonly runtime: Runtime;
  /** Logits `[B · numClasses]` (row-major) of the batch `x` of shape `[B, H, W, C]`. */
  run(x: Float32Array, shape: [number, number, number, number]): Promise<Float32Array>;
  dispose(): Promise<void>;
}

/** @internal The model's own forward pass on the active tfjs backend. */
export function tfjsRunner(model: VisionTransformer): LogitsRunner {
  return {
    runtime: 'tfjs',
    async run(x, shape) {
      const y = tf.tidy(() => model.forward(tf.tensor4d(x, shape)));
      try {
        return (await y.data()) as Float32Array;
      } finally {
        y.dispose();
      }
    },
    async dispose() {},
  };
}

type Ort = typeof import('onnxruntime-node');
const importOptional = (spec: string): Promise<unknown> => import(/* @vite-ignore */ spec);

/**
 * @internal onnxruntime-node on `exportOnnx(model)` (NHWC input, dynamic batch). A model with
 * `dynamicImgSize` is exported at `imgSize` (the size the pipeline feeds), its pos_embed
 * resampled once as timm does per call.
 */
export async function onnxRunner(model: VisionTransformer, imgSize: [number, number], threads?: number): Promise<LogitsRunner> {
  let ort: Ort;
  try {
    const mod = (await importOptional('onnxruntime-node')) as Ort & { default?: Ort };
    ort = mod.InferenceSession ? mod : (mod.default as Ort);
  } catch (e) {
    throw new TfjsVitError('RUNTIME_MISSING', `runtime 'onnxruntime' needs the optional package onnxruntime-node (npm install onnxruntime-node): ${(e as Error).message.split('\n')[0]}`);
  }
  const c = model.config;
  const dynamic = model.dynamicImgSize;
  if (c.imgSize[0] !== imgSize[0] || c.imgSize[1] !== imgSize[1]) model.setInputSize(imgSize);
  let bytes: Uint8Array;
  model.dynamicImgSize = false;
  try {
    bytes = exportOnnx(model, { dataFormat: 'NHWC' });
  } finally {
    model.dynamicImgSize = dynamic;
  }
  if (threads !== undefined && !(Number.isInteger(threads) && threads > 0)) throw new ArgumentError(`onnxruntime threads must be a positive integer, got ${threads}`);
  const session = await ort.InferenceSession.create(bytes, threads ? { intraOpNumThreads: threads } : {});
  return {
    runtime: 'onnxruntime',
    async run(x, shape) {
      const out = await session.run({ pixel_values: new ort.Tensor('float32', x, shape) });
      return out.logits.data as Float32Array;
    },
    async dispose() {
      await session.release();
    },
  };
}
