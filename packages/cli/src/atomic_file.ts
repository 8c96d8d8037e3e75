// Writes a file so that a crash never leaves a partial one under the final name: a temporary file
// in the same directory, then a rename over the target.
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Writes `data` to `path` atomically (temp file + rename), creating the directory.
 *
 * @example
 * ```ts
 * await writeFileAtomic('out/vectors.npy', bytes);
 * ```
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}
