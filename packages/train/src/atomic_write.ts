// Crash-safe replacement of a directory: build it beside the old one, fsync, then swap by rename.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Writes `data` to `path` and fsyncs it before returning. */
async function writeSynced(path: string, data: Uint8Array | string): Promise<void> {
  const fh = await open(path, 'w');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** fsync a directory so that renames inside it are durable (a no-op where directories cannot be opened). */
async function syncDir(path: string): Promise<void> {
  let fh;
  try {
    fh = await open(path, 'r');
    await fh.sync();
  } catch {
    // Windows cannot fsync a directory; the rename is still atomic there.
  } finally {
    await fh?.close();
  }
}

/** The name the previous version of `dir` has while the new one is being moved into place. */
export function previousDirOf(dir: string): string {
  return `${dir}.old`;
}

/**
 * Replaces directory `dir` with one holding `files` (name → bytes or text) so that at every
 * instant either the complete old or the complete new directory exists: files go to a temp
 * directory and are fsynced; then `dir` → `dir.old`, temp → `dir`, and `dir.old` is removed. A
 * crash between the two renames leaves `dir.old`, which `resolveCheckpointDir` falls back to.
 * `beforeCommit` runs after the files are durable and before the swap (tests use it to fail there).
 */
export async function replaceDirAtomic(
  dir: string,
  files: Record<string, Uint8Array | string>,
  beforeCommit?: () => void | Promise<void>,
): Promise<void> {
  const parent = dirname(dir);
  await mkdir(parent, { recursive: true });
  const tmp = join(parent, `.${basename(dir)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  await mkdir(tmp);
  try {
    for (const [name, data] of Object.entries(files)) await writeSynced(join(tmp, name), data);
    await syncDir(tmp);
    await beforeCommit?.();
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw e;
  }
  const old = previousDirOf(dir);
  if (existsSync(dir)) {
    await rm(old, { recursive: true, force: true });
    await rename(dir, old);
  }
  await rename(tmp, dir);
  await syncDir(parent);
  await rm(old, { recursive: true, force: true });
}

/** `dir` if it exists, else its `.old` copy left by a crash mid-swap, else undefined. */
export function resolveCheckpointDir(dir: string): string | undefined {
  if (existsSync(dir)) return dir;
  const old = previousDirOf(dir);
  return existsSync(old) ? old : undefined;
}
