// PyTorch's zip checkpoint (torch.save's default since 1.6): `<archive>/data.pkl` names storages by
// persistent id; each storage is the stored entry `<archive>/data/<key>`.
import { type Checkpoint, flattenTensors, makeCheckpoint } from './checkpoint';
import { ELEMENT_SIZE } from './dtypes';
import { CheckpointError } from './errors';
import { describe, readPickle } from './pickle';
import type { ByteSource } from './source';
import { dtypeOf, STATE_DICT_GLOBALS, type StorageRef } from './torch_globals';
import type { ZipEntry } from './zip';

/** The `data.pkl` entry of a torch zip archive, if there is one (shortest path wins). */
export function findDataPkl(entries: Map<string, ZipEntry>): ZipEntry | undefined {
  let best: ZipEntry | undefined;
  for (const e of entries.values()) {
    if ((e.name === 'data.pkl' || e.name.endsWith('/data.pkl')) && (!best || e.name.length < best.name.length)) best = e;
  }
  return best;
}

/**
 * Reads a torch zip checkpoint whose entries were listed by `readZip`. Only the pickle is read
 * now; each tensor's bytes are read when its entry is asked for them.
 *
 * @example
 * const src = bytesSource(bytes);
 * const ckpt = openTorchZip(src, readZip(src));
 */
export function openTorchZip(src: ByteSource, entries: Map<string, ZipEntry>): Checkpoint {
  const pkl = findDataPkl(entries);
  if (!pkl) throw new CheckpointError('CHECKPOINT_MISSING_ENTRY', `torch zip: no data.pkl among ${entries.size} entries`);
  const prefix = pkl.name.slice(0, pkl.name.length - 'data.pkl'.length);
  const order = entries.get(`${prefix}byteorder`);
  const byteorder = order ? new TextDecoder().decode(order.read()).trim() : 'little';
  if (byteorder !== 'little' && byteorder !== 'big') {
    throw new CheckpointError('CHECKPOINT_BAD_HEADER', `torch zip: byteorder is ${JSON.stringify(byteorder.slice(0, 20))}`);
  }
  const storages = new Map<string, StorageRef>();
  const persistentLoad = (pid: unknown): StorageRef => {
    if (!Array.isArray(pid) || pid[0] !== 'storage' || pid.length < 5) {
      throw new CheckpointError('CHECKPOINT_BAD_PICKLE', `torch zip: persistent id ${describe(pid)} is not a storage`);
    }
    const [, type, key, , numel] = pid;
    if (typeof key !== 'string' && typeof key !== 'number') throw new CheckpointError('CHECKPOINT_BAD_PICKLE', `torch zip: storage key ${describe(key)} is not a name`);
    const dtype = dtypeOf(type);
    if (!dtype) throw new CheckpointError('CHECKPOINT_UNSUPPORTED_DTYPE', `torch zip: storage ${String(key)} has type ${describe(type)}`);
    const cached = storages.get(String(key));
    if (cached) return cached;
    const entry = entries.get(`${prefix}data/${String(key)}`);
    if (!entry) throw new CheckpointError('CHECKPOINT_MISSING_ENTRY', `torch zip: storage ${String(key)} has no entry ${prefix}data/${String(key)}`);
    if (entry.method !== 0) throw new CheckpointError('CHECKPOINT_BAD_ZIP', `torch zip: storage ${entry.name} is compressed (method ${entry.method})`);
    const size = ELEMENT_SIZE[dtype];
    const count = typeof numel === 'number' ? numel : entry.size / size;
    if (!Number.isSafeInteger(count) || count < 0 || count * size > entry.size) {
      throw new CheckpointError('CHECKPOINT_BAD_OFFSETS', `torch zip: storage ${String(key)} claims ${describe(numel)} ${dtype} elements, its entry has ${entry.size} bytes`);
    }
    const ref: StorageRef = {
      kind: 'storage', key: String(key), dtype, numel: count, source: src,
      byteOffset: () => entry.dataOffset(), bigEndian: byteorder === 'big',
    };
    storages.set(ref.key, ref);
    return ref;
  };
  const { value } = readPickle(pkl.read(), 0, { globals: STATE_DICT_GLOBALS, persistentLoad });
  return makeCheckpoint('torch-zip', src, flattenTensors(value), { object: value });
}
