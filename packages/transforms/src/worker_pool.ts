// A small pool of worker_threads running batch.ts; tasks are queued per worker, results keyed by id.
import type { BatchResult, BatchTask } from './batch';
import { ImageDecodeError, TransformArgumentError, TransformsError } from './errors';
import { fs, nodeModule } from './node';
import type { TransformSpec } from './transform';

type WorkerT = import('node:worker_threads').Worker;
interface Pending {
  resolve: (r: BatchResult) => void;
  reject: (e: Error) => void;
}

function revive(e: { name: string; message: string; code?: string; source?: string }): Error {
  if (e.name === 'ImageDecodeError') {
    const err = new ImageDecodeError(e.source ?? '<worker>', '');
    err.message = e.message;
    return err;
  }
  if (e.name === 'TransformArgumentError') return new TransformArgumentError(e.message);
  if (e.code) return new TransformsError(e.code, e.message);
  return new Error(`${e.name}: ${e.message}`);
}

/** @internal */
export class WorkerPool {
  private readonly workers: WorkerT[] = [];
  private readonly load: number[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;

  constructor(size: number, spec: TransformSpec | null, workerUrl: URL | string) {
    const url = typeof workerUrl === 'string' ? workerUrl : workerUrl.href;
    const path = url.startsWith('file:') ? nodeModule<typeof import('node:url')>('node:url').fileURLToPath(url) : url;
    if (!fs().existsSync(path)) {
      throw new TransformsError('ENVIRONMENT', `DataLoader: worker script ${path} not found (pass options.workerUrl, or use the built package)`);
    }
    const { Worker } = nodeModule<typeof import('node:worker_threads')>('node:worker_threads');
    for (let i = 0; i < size; i++) {
      const w = new Worker(path, { workerData: { spec } });
      w.on('message', (msg: { id: number; result?: BatchResult; error?: Parameters<typeof revive>[0] }) => {
        const p = this.pending.get(msg.id);
        this.pending.delete(msg.id);
        if (--this.load[i] === 0) w.unref();
        if (!p) return;
        if (msg.error) p.reject(revive(msg.error));
        else p.resolve(msg.result as BatchResult);
      });
      w.on('error', (e) => {
        for (const p of this.pending.values()) p.reject(e);
        this.pending.clear();
      });
      w.unref();
      this.workers.push(w);
      this.load.push(0);
    }
  }

  run(task: BatchTask): Promise<BatchResult> {
    let k = 0;
    for (let i = 1; i < this.workers.length; i++) if (this.load[i] < this.load[k]) k = i;
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      if (this.load[k]++ === 0) this.workers[k].ref();
      this.workers[k].postMessage({ id, task });
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.workers.length = 0;
  }
}
