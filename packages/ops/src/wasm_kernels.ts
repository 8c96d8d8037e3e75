// tfjs-backend-wasm 4.22's Slice kernel copies its whole input out of the wasm heap on every call
// (`readSync`, to read a part of it), and Unpack and SplitV slice once per output — so unstacking
// a [12, 197, 197] tensor copies it 12 times: 4–12 ms where the copy of the parts takes ~0.1 ms.
// These replacements read the heap in place; outputs are the same bytes. And its Identity copies
// the tensor, where cpu's shares it — Identity is what tfjs-core's `clone` runs, and the engine
// clones every tensor a gradient saves, so on wasm each saved activation was held twice.
import * as tf from '@tensorflow/tfjs-core';

/** The part of the wasm backend these kernels use. */
interface WasmBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  incRef(dataId: tf.DataId): void;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
}

type Heap = Float32Array | Int32Array | Uint8Array;

/**
 * Copies the box `begin … begin + size` of `src` (shape `shape`, row-major) into `dst`, in runs:
 * the trailing axes a slice takes whole are one contiguous run with the axis before them.
 */
function copyBox(src: Heap, shape: readonly number[], begin: readonly number[], size: readonly number[], dst: Heap): void {
  const rank = shape.length;
  if (rank === 0) {
    dst[0] = src[0];
    return;
  }
  let d = rank - 1;
  while (d > 0 && size[d] === shape[d]) d--;
  const strides = new Array<number>(rank).fill(1);
  for (let i = rank - 2; i >= 0; i--) strides[i] = strides[i + 1] * shape[i + 1];
  const run = size[d] * strides[d];
  const index = new Array<number>(d).fill(0);
  let out = 0;
  const runs = size.slice(0, d).reduce((a, b) => a * b, 1);
  for (let r = 0; r < runs; r++) {
    let from = begin[d] * strides[d];
    for (let i = 0; i < d; i++) from += (begin[i] + index[i]) * strides[i];
    dst.set(src.subarray(from, from + run), out);
    out += run;
    for (let i = d - 1; i >= 0; i--) {
      if (++index[i] < size[i]) break;
      index[i] = 0;
    }
  }
}

/** Slice without copying the input first; makes the output before taking views (malloc may grow the heap). */
function sliceBox(backend: WasmBackend, x: tf.TensorInfo, begin: number[], size: number[]): tf.TensorInfo {
  const out = backend.makeOutput(size, x.dtype);
  if (size.some((s) => s === 0)) return out;
  copyBox(backend.typedArrayFromHeap(x), x.shape, begin, size, backend.typedArrayFromHeap(out));
  return out;
}

const isNumeric = (t: tf.TensorInfo) => t.dtype !== 'string' && t.dtype !== 'complex64';

type KernelFunc = tf.KernelConfig['kernelFunc'];
type KernelArgs = Parameters<KernelFunc>[0];

/** The kernel to register: ours for numeric inputs, tfjs' own for strings (and anything else). */
function replacement(name: string, fast: (args: KernelArgs, backend: WasmBackend) => tf.TensorInfo | tf.TensorInfo[]): KernelFunc {
  const original = tf.getKernel(name, 'wasm')!.kernelFunc;
  return (args) => {
    const inputs = Object.values(args.inputs) as tf.TensorInfo[];
    return inputs.every(isNumeric) ? fast(args, args.backend as unknown as WasmBackend) : original(args);
  };
}

const KERNELS: Record<string, (args: KernelArgs, backend: WasmBackend) => tf.TensorInfo | tf.TensorInfo[]> = {
  // Shares the data (reference-counted, as Reshape and cpu's Identity): tensors are immutable.
  [tf.Identity]: ({ inputs }, backend) => {
    const x = inputs.x as tf.TensorInfo;
    backend.incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  },
  [tf.Slice]: ({ inputs, attrs }, backend) => {
    const x = inputs.x as tf.TensorInfo;
    const [begin, size] = tf.slice_util.parseSliceParams(x, attrs!.begin as number | number[], attrs!.size as number | number[]);
    return sliceBox(backend, x, begin, size);
  },
  [tf.Unpack]: ({ inputs, attrs }, backend) => {
    const x = inputs.value as tf.TensorInfo;
    const axis = tf.util.parseAxisParam(attrs!.axis as number, x.shape)[0];
    const size = x.shape.slice();
    size[axis] = 1;
    const outShape = x.shape.filter((_, i) => i !== axis);
    return Array.from({ length: x.shape[axis] }, (_, i) => {
      const begin = x.shape.map((_, j) => (j === axis ? i : 0));
      return { ...sliceBox(backend, x, begin, size), shape: outShape };
    });
  },
  [tf.SplitV]: ({ inputs, attrs }, backend) => {
    const x = inputs.x as tf.TensorInfo;
    const axis = tf.util.parseAxisParam(attrs!.axis as number, x.shape)[0];
    const sizes = tf.backend_util.prepareSplitSize(x as tf.Tensor, attrs!.numOrSizeSplits as number | number[], axis);
    const begin = new Array<number>(x.shape.length).fill(0);
    return sizes.map((s) => {
      const size = x.shape.slice();
      size[axis] = s;
      const part = sliceBox(backend, x, begin.slice(), size);
      begin[axis] += s;
      return part;
    });
  },
};

let installed = false;

/**
 * Replaces tfjs-backend-wasm's Slice, Unpack and SplitV kernels with ones that read the wasm heap
 * in place instead of copying the whole input out first (per call, and per output for
 * Unpack/SplitV), and its Identity with one that shares the data instead of copying it. Same
 * outputs; at ViT-B/16 batch 1 the attention's per-head unstack goes from about a fifth of the
 * forward pass to nothing measurable, and training keeps one copy of each saved activation
 * instead of two (tfjs-core clones what a gradient saves). Idempotent; a no-op until
 * `@tensorflow/tfjs-backend-wasm` has been imported (its kernels registered). `selectBackend`
 * calls it when it picks wasm and attention before it slices per head; call it yourself for your
 * own slicing after `tf.setBackend('wasm')`.
 *
 * @returns whether the kernels are (now) replaced.
 *
 * @example
 * ```ts
 * import '@tensorflow/tfjs-backend-wasm';
 * await tf.setBackend('wasm');
 * installWasmKernels(); // true
 * ```
 */
export function installWasmKernels(): boolean {
  if (installed) return true;
  const names = Object.keys(KERNELS);
  if (!names.every((n) => tf.getKernel(n, 'wasm'))) return false;
  for (const name of names) {
    const kernelFunc = replacement(name, KERNELS[name]);
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc });
  }
  installed = true;
  return true;
}
