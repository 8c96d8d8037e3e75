// A ByteSource over a file that reports how much of it has been read, for the reading progress bar
// (positioned reads pass straight through: nothing extra is held in memory).
import { fileSource, type ByteSource } from '@tfjs-vit/convert';

/**
 * `fileSource(path)` whose reads call `onRead(bytesReadSoFar, size)`.
 *
 * @example
 * ```ts
 * const src = await countingFileSource('vit.pth', (done, size) => bar.update(done));
 * ```
 */
export async function countingFileSource(path: string, onRead: (done: number, size: number) => void): Promise<ByteSource> {
  const inner = await fileSource(path);
  let done = 0;
  return {
    size: inner.size,
    freshReads: inner.freshReads,
    read(offset, length) {
      const out = inner.read(offset, length);
      done = Math.min(inner.size, done + length);
      onRead(done, inner.size);
      return out;
    },
    close: () => inner.close(),
  };
}
