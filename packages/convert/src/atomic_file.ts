// Files that appear whole or not at all (Node): each is written to a temporary file beside its final
// name, synced, then renamed over it — a process killed mid-write leaves the previous file as it
// was and no partial file under the final name (only a `.tmp` file beside it).
import { importNode } from '@tfjs-vit/ops';

type Fs = typeof import('node:fs');

/** The temporary name a file has while it is written (same folder, so the rename is atomic). */
export function tempPathOf(path: string): string {
  return `${path}.${process.pid}.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}.tmp`;
}

/** A file being written under a temporary name: `write` chunks, then `commit` or `abort`. */
export interface AtomicFile {
  readonly path: string;
  readonly tempPath: string;
  write(bytes: Uint8Array | string): void;
  /** Syncs and closes the temporary file; `rename` (default true) moves it over `path`. */
  commit(options?: { rename?: boolean }): void;
  /** Closes and removes the temporary file (idempotent; after a commit, a no-op). */
  abort(): void;
}

/**
 * Opens `path` for an atomic write through `fs` (synchronous: the caller streams chunks).
 *
 * @example
 * ```ts
 * const f = openAtomicFile(fs, 'out.bin');
 * try { f.write(header); f.write(body); f.commit(); } catch (e) { f.abort(); throw e; }
 * ```
 */
export function openAtomicFile(fs: Fs, path: string): AtomicFile {
  const tempPath = tempPathOf(path);
  let fd: number | null = fs.openSync(tempPath, 'w');
  let done = false;
  const close = () => {
    if (fd !== null) fs.closeSync(fd);
    fd = null;
  };
  return {
    path,
    tempPath,
    write(bytes) {
      if (fd === null) throw new Error(`${path}: write after commit or abort`);
      const b = typeof bytes === 'string' ? Buffer.from(bytes) : bytes;
      for (let at = 0; at < b.byteLength; ) at += fs.writeSync(fd, b, at, b.byteLength - at);
    },
    commit(options = {}) {
      if (fd === null) throw new Error(`${path}: commit after commit or abort`);
      fs.fsyncSync(fd);
      close();
      if (options.rename ?? true) fs.renameSync(tempPath, path);
      done = true;
    },
    abort() {
      close();
      if (!done) fs.rmSync(tempPath, { force: true });
      done = true;
    },
  };
}

/**
 * Writes `data` to `path` atomically (temporary file, fsync, rename), creating the folder (Node).
 *
 * @example
 * ```ts
 * await writeFileAtomic('runs/train/results.json', JSON.stringify(results));
 * ```
 */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const fs = await importNode<Fs>('node:fs');
  const { dirname } = await importNode<typeof import('node:path')>('node:path');
  fs.mkdirSync(dirname(path), { recursive: true });
  const f = openAtomicFile(fs, path);
  try {
    f.write(data);
    f.commit();
  } catch (e) {
    f.abort();
    throw e;
  }
}
