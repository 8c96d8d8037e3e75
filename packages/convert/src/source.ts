// Random-access byte sources: the readers see bytes in memory (browser) and files (Node) the same
// way, so a multi-GB checkpoint is read by positioned reads instead of being held twice.
import { importNode } from '@tfjs-vit/ops';
import { assertAvailable } from './errors';

/** Positioned reads over a checkpoint. `read` may return a view (bytes) or a fresh copy (file). */
export interface ByteSource {
  /** Total size in bytes. */
  readonly size: number;
  /** `length` bytes from `offset`; throws `CHECKPOINT_TRUNCATED` when they are not there. */
  read(offset: number, length: number): Uint8Array;
  /** True when `read` returns fresh, 0-offset buffers the caller may keep (and reinterpret). */
  readonly freshReads: boolean;
  /** Releases the file handle, if any. Idempotent. */
  close(): void;
}

/**
 * A source over bytes already in memory (`read` returns views, never copies).
 *
 * @example
 * const src = bytesSource(new Uint8Array(await (await fetch(url)).arrayBuffer()));
 */
export function bytesSource(bytes: Uint8Array): ByteSource {
  return {
    size: bytes.length,
    freshReads: false,
    read(offset, length) {
      assertAvailable('read', offset, length, bytes.length);
      return bytes.subarray(offset, offset + length);
    },
    close() {},
  };
}

const CHUNK = 1 << 30; // fs.readSync reads at most ~2 GB at once

/**
 * A source over a file (Node only; `node:fs` is imported lazily so browser bundles stay clean).
 * Each `read` is a positioned read into a new buffer; nothing else of the file is kept in memory.
 *
 * @example
 * const src = await fileSource('/models/vit_base_patch16_224.pth');
 * try { console.log(src.size); } finally { src.close(); }
 */
export async function fileSource(path: string): Promise<ByteSource> {
  const fs = await importNode<typeof import('node:fs')>('node:fs');
  const fd = fs.openSync(path, 'r');
  const size = fs.fstatSync(fd).size;
  let open = true;
  return {
    size,
    freshReads: true,
    read(offset, length) {
      assertAvailable(`read of ${path}`, offset, length, size);
      const out = new Uint8Array(length);
      let done = 0;
      while (done < length) {
        const n = fs.readSync(fd, out, done, Math.min(CHUNK, length - done), offset + done);
        if (n <= 0) assertAvailable(`read of ${path}`, offset + done, length - done, offset + done);
        done += n;
      }
      return out;
    },
    close() {
      if (open) fs.closeSync(fd);
      open = false;
    },
  };
}
