// PyTorch's legacy checkpoint (`_use_new_zipfile_serialization=False`): five pickles in a row —
// magic number, protocol version, sys info, the object (storages by persistent id), the sorted
// storage keys — then each storage as an int64 element count followed by its raw bytes.
import { type Checkpoint, flattenTensors, makeCheckpoint } from './checkpoint';
import { ELEMENT_SIZE } from './dtypes';
import { CheckpointError } from './errors';
import { describe, readPickle } from './pickle';
import type { ByteSource } from './source';
import { dtypeOf, STATE_DICT_GLOBALS, type StorageRef } from './torch_globals';

/** The magic number torch's legacy format starts with (a pickled int). */
export const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;
const PROTOCOL_VERSION = 1001;
const NO_GLOBALS: ReadonlyMap<string, unknown> = new Map();

interface Root {
  key: string;
  dtype: StorageRef['dtype'];
  numel: number;
  offset: number; // byte offset of the data, known after the key list is read
}

/** Reads the pickles at the start of the file, growing the window until they fit. */
function readHead<T>(src: ByteSource, parse: (bytes: Uint8Array) => T): T {
  for (let window = Math.min(src.size, 1 << 20); ; window = Math.min(src.size, window * 4)) {
    try {
      return parse(src.read(0, window));
    } catch (err) {
      if (!(err instanceof CheckpointError && err.code === 'CHECKPOINT_TRUNCATED') || window === src.size) throw err;
    }
  }
}

/**
 * Reads a legacy-format torch checkpoint. The pickles are parsed now; tensors are read on demand.
 *
 * @example
 * const ckpt = openTorchLegacy(bytesSource(bytes));
 */
export function openTorchLegacy(src: ByteSource): Checkpoint {
  const roots = new Map<string, Root>();
  const { value, end, keys, bigEndian } = readHead(src, (bytes) => {
    roots.clear();
    const plain = { globals: NO_GLOBALS };
    const magic = readPickle(bytes, 0, plain);
    if (magic.value !== LEGACY_MAGIC) {
      throw new CheckpointError('CHECKPOINT_BAD_MAGIC', `torch legacy: magic number is ${describe(magic.value)}, expected ${LEGACY_MAGIC}`);
    }
    const protocol = readPickle(bytes, magic.end, plain);
    if (protocol.value !== PROTOCOL_VERSION) {
      throw new CheckpointError('CHECKPOINT_BAD_HEADER', `torch legacy: protocol version ${describe(protocol.value)}, expected ${PROTOCOL_VERSION}`);
    }
    const sysInfo = readPickle(bytes, protocol.end, plain);
    const info = sysInfo.value instanceof Map ? sysInfo.value : new Map();
    const bigEndian = info.get('little_endian') === false;
    const persistentLoad = (pid: unknown): StorageRef => {
      if (!Array.isArray(pid) || pid[0] !== 'storage' || pid.length < 5) {
        throw new CheckpointError('CHECKPOINT_BAD_PICKLE', `torch legacy: persistent id ${describe(pid)} is not a storage`);
      }
      const [, type, key, , numel, view] = pid;
      if (typeof key !== 'string' && typeof key !== 'number') throw new CheckpointError('CHECKPOINT_BAD_PICKLE', `torch legacy: storage key ${describe(key)} is not a name`);
      const dtype = dtypeOf(type);
      if (!dtype) throw new CheckpointError('CHECKPOINT_UNSUPPORTED_DTYPE', `torch legacy: storage ${String(key)} has type ${describe(type)}`);
      if (!Number.isSafeInteger(numel) || (numel as number) < 0) {
        throw new CheckpointError('CHECKPOINT_BAD_PICKLE', `torch legacy: storage ${String(key)} has size ${describe(numel)}`);
      }
      const root = roots.get(String(key)) ?? { key: String(key), dtype, numel: numel as number, offset: -1 };
      roots.set(root.key, root);
      let elementOffset = 0;
      let count = root.numel;
      if (Array.isArray(view)) {
        // (view_key, offset, view_size): a storage view of older torch versions
        [, elementOffset, count] = view as number[];
        if (!Number.isSafeInteger(elementOffset) || !Number.isSafeInteger(count) || elementOffset < 0 || count < 0 || elementOffset + count > root.numel) {
          throw new CheckpointError('CHECKPOINT_BAD_OFFSETS', `torch legacy: storage view ${describe(view)} of ${root.key} (${root.numel} elements)`);
        }
      }
      return {
        kind: 'storage', key: root.key, dtype: root.dtype, numel: count, source: src, bigEndian,
        byteOffset: () => root.offset + elementOffset * ELEMENT_SIZE[root.dtype],
      };
    };
    const main = readPickle(bytes, sysInfo.end, { globals: STATE_DICT_GLOBALS, persistentLoad });
    const keys = readPickle(bytes, main.end, plain);
    if (!Array.isArray(keys.value)) throw new CheckpointError('CHECKPOINT_BAD_PICKLE', `torch legacy: storage keys are ${describe(keys.value)}`);
    return { value: main.value, end: keys.end, keys: keys.value.map(String), bigEndian };
  });
  // The storages follow in key order, each an int64 element count and then its bytes.
  let pos = end;
  for (const key of keys) {
    const root = roots.get(key);
    if (!root) throw new CheckpointError('CHECKPOINT_BAD_PICKLE', `torch legacy: storage key ${key} is not used by any tensor`);
    const head = new DataView(src.read(pos, 8).slice().buffer);
    const count = head.getBigInt64(0, !bigEndian);
    if (count !== BigInt(root.numel)) {
      throw new CheckpointError('CHECKPOINT_BAD_OFFSETS', `torch legacy: storage ${key} at byte ${pos} has ${count} elements, the pickle says ${root.numel}`);
    }
    root.offset = pos + 8;
    pos = root.offset + root.numel * ELEMENT_SIZE[root.dtype];
    if (pos > src.size) {
      throw new CheckpointError('CHECKPOINT_TRUNCATED', `torch legacy: storage ${key} ends at byte ${pos}, the file at ${src.size}`);
    }
  }
  for (const root of roots.values()) {
    if (root.offset < 0) throw new CheckpointError('CHECKPOINT_MISSING_ENTRY', `torch legacy: storage ${root.key} is not in the storage key list`);
  }
  return makeCheckpoint('torch-legacy', src, flattenTensors(value), { object: value });
}
