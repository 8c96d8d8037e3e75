// The page's side of the worker protocol: one promise per request, progress to a callback.
import type { Reply, Request } from './protocol';

type Pending = { resolve(v: unknown): void; reject(e: Error): void; onProgress?: (p: Extract<Reply, { type: 'progress' }>) => void };
type Body<R> = R extends Request ? Omit<R, 'id'> : never;

/** Errors the worker reports, with its message and code. */
export class WorkerError extends Error {
  constructor(message: string, readonly code?: string) {
    super(message);
  }
}

export class ModelWorker {
  private readonly worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
  private next = 1;
  private readonly pending = new Map<number, Pending>();

  constructor() {
    this.worker.onmessage = (e: MessageEvent<Reply>) => {
      const r = e.data;
      const p = this.pending.get(r.id);
      if (!p) return;
      if (r.type === 'progress') return p.onProgress?.(r);
      this.pending.delete(r.id);
      if (r.type === 'ok') p.resolve(r.value);
      else p.reject(new WorkerError(r.message, r.code));
    };
    this.worker.onerror = (e) => {
      for (const p of this.pending.values()) p.reject(new WorkerError(`the model worker failed: ${e.message}`));
      this.pending.clear();
    };
  }

  call<T>(body: Body<Request>, onProgress?: Pending['onProgress']): Promise<T> {
    const id = this.next++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, onProgress });
      this.worker.postMessage({ ...body, id } as Request);
    });
  }
}
