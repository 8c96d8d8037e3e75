// Messages between the page (main thread) and the model worker. Everything heavy — tfjs, the
// model, decoding, training — lives in the worker, so the page never freezes while it runs.

/** 'auto' picks a hardware WebGPU adapter, else wasm, else cpu; the others force one. */
export type BackendRequest = 'auto' | 'webgpu' | 'wasm' | 'cpu';

/** Where the model comes from: the shipped web-format model (a URL), picked files, or a safetensors file. */
export type ModelSource =
  | { kind: 'url'; url: string }
  | { kind: 'files'; files: File[] }
  | { kind: 'safetensors'; file: File; modelName?: string };

export interface Top {
  index: number;
  label: string;
  prob: number;
}

/** An image for training: its class (folder name) and the file. */
export interface LabelledFile {
  label: string;
  file: File;
}

export type Request =
  | { id: number; type: 'init'; backend: BackendRequest }
  | { id: number; type: 'load'; source: ModelSource }
  | { id: number; type: 'classify'; file: File }
  | { id: number; type: 'train'; images: LabelledFile[]; steps: number; lr: number; heldOutFraction: number }
  | { id: number; type: 'export'; what: 'head' | 'model' };

export interface BackendInfo {
  backend: string;
  /** Why selectBackend chose it (and what it skipped). */
  reason: string;
  /** wasm threads in use (1 unless the page is cross-origin isolated). */
  threads: number | null;
  crossOriginIsolated: boolean;
}

export interface ModelInfo {
  name: string;
  inputSize: number[];
  numClasses: number;
  labels: string[];
  parameters: number;
  loadMs: number;
  notes: readonly string[];
}

export interface ClassifyResult {
  name: string;
  top: Top[];
  ms: number;
  /** The crop the model saw with the attention rollout over it, RGBA for a canvas. */
  overlay: { width: number; height: number; data: Uint8ClampedArray<ArrayBuffer> };
}

export interface TrainResult {
  labels: string[];
  trainCount: number;
  heldOutCount: number;
  /** Held-out accuracy in [0, 1], or null when nothing was held out. */
  heldOutAccuracy: number | null;
  finalLoss: number;
  featureMs: number;
  trainMs: number;
}

export type Reply =
  | { id: number; type: 'ok'; value: unknown }
  | { id: number; type: 'error'; message: string; code?: string }
  | { id: number; type: 'progress'; what: 'load'; loaded: number; total: number; fromCache: boolean }
  | { id: number; type: 'progress'; what: 'features'; done: number; total: number }
  | { id: number; type: 'progress'; what: 'train'; step: number; steps: number; loss: number };
