// NumPy's .npz: a zip of `<key>.npy` members, stored (np.savez) or deflated (np.savez_compressed).
// Google's JAX ViT checkpoints use it, with keys like `Transformer/encoderblock_0/.../kernel`.
import { type Checkpoint, makeCheckpoint } from './checkpoint';
import { CheckpointError } from './errors';
import { inflatedSource, npyEntry } from './npy';
import type { ByteSource } from './source';
import type { TensorEntry } from './tensor_entry';
import type { ZipEntry } from './zip';

/**
 * Opens an .npz archive listed by `readZip`; each `<key>.npy` member becomes the entry `<key>`.
 * Stored members are read in place; deflated ones are inflated when their values are read.
 *
 * @example
 * const src = bytesSource(bytes);
 * const ckpt = openNpz(src, readZip(src));
 * ckpt.entries.get('Transformer/encoder_norm/scale')!.tensor();
 */
export function openNpz(src: ByteSource, members: Map<string, ZipEntry>): Checkpoint {
  const entries = new Map<string, TensorEntry>();
  for (const m of members.values()) {
    // Every member's local header is checked against the directory (and a stored one's CRC-32), the
    // ones skipped below too: a corrupt name must not make an array silently disappear.
    m.dataOffset();
    if (!m.name.endsWith('.npy')) continue;
    const key = m.name.slice(0, -4);
    if (m.method === 0) {
      entries.set(key, npyEntry(key, src, m.dataOffset(), m.size));
    } else {
      // Inflated once now for the header, then dropped; inflated again when values are read,
      // so a compressed archive is never held inflated as a whole.
      const lazy = inflatedSource(() => m.read(), m.size);
      const entry = npyEntry(key, lazy, 0, m.size);
      lazy.close();
      const once = <T>(fn: () => T): T => {
        try {
          return fn();
        } finally {
          lazy.close();
        }
      };
      entries.set(key, { dtype: entry.dtype, shape: entry.shape, values: () => once(entry.values), tensor: () => once(entry.tensor) });
    }
  }
  if (entries.size === 0) throw new CheckpointError('CHECKPOINT_MISSING_ENTRY', `npz: no .npy members among ${members.size} entries`);
  return makeCheckpoint('npz', src, entries);
}
