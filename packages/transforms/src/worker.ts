// DataLoader worker thread entry: rebuilds the transform from its spec and processes batch tasks,
// returning raw buffers (tensors are made on the main thread).
import { parentPort, workerData } from 'node:worker_threads';
import { processBatch, type BatchTask } from './batch';
import { transformFromSpec } from './spec';
import type { TransformSpec } from './transform';

const data = workerData as { spec: TransformSpec | null };
const transform = data.spec ? transformFromSpec(data.spec) : null;

parentPort?.on('message', async (msg: { id: number; task: BatchTask }) => {
  try {
    const result = await processBatch(msg.task, transform);
    parentPort?.postMessage({ id: msg.id, result }, [result.images.buffer as ArrayBuffer, result.labels.buffer as ArrayBuffer]);
  } catch (e) {
    const err = e as Error & { code?: string; source?: string };
    parentPort?.postMessage({ id: msg.id, error: { name: err.name, message: err.message, code: err.code, source: err.source } });
  }
});
