// The allowlist of pickle globals a PyTorch state dict (and a typical training checkpoint around
// it) needs, each mapped to an inert JS stand-in — the stance of torch.load(weights_only=True).
import { ELEMENT_SIZE, type SourceDType } from './dtypes';
import { CheckpointError } from './errors';
import { describe, PyCallable, PyObject } from './pickle';
import type { ByteSource } from './source';
import { stridedEntry, type TensorEntry } from './tensor_entry';

/** A `torch.*Storage` class named in a pickle: it only says which dtype the storage holds. */
export class StorageType {
  constructor(
    readonly qualname: string,
    readonly dtype: SourceDType,
  ) {}
}

/** A storage a persistent id resolved to: `numel` elements of `dtype` at a byte offset of `source`. */
export interface StorageRef {
  readonly kind: 'storage';
  readonly key: string;
  readonly dtype: SourceDType;
  readonly numel: number;
  readonly source: ByteSource;
  /** Asked only when a tensor is read (the legacy format learns it after the main pickle). */
  byteOffset(): number;
  readonly bigEndian?: boolean;
}

const STORAGE_DTYPES: Record<string, SourceDType> = {
  FloatStorage: 'float32', HalfStorage: 'float16', BFloat16Storage: 'bfloat16', DoubleStorage: 'float64',
  LongStorage: 'int64', IntStorage: 'int32', ShortStorage: 'int16', CharStorage: 'int8',
  ByteStorage: 'uint8', BoolStorage: 'bool', UntypedStorage: 'uint8',
};

const TORCH_DTYPES: Record<string, SourceDType> = {
  float32: 'float32', float: 'float32', float16: 'float16', half: 'float16', bfloat16: 'bfloat16',
  float64: 'float64', double: 'float64', int64: 'int64', long: 'int64', int32: 'int32', int: 'int32',
  int16: 'int16', short: 'int16', int8: 'int8', uint8: 'uint8', bool: 'bool',
};

/** The dtype named by a pickled storage type or `torch.<dtype>` object, if it is one. */
export function dtypeOf(v: unknown): SourceDType | undefined {
  if (v instanceof StorageType) return v.dtype;
  if (typeof v === 'string' && v.startsWith('torch.')) return TORCH_DTYPES[v.slice(6)];
  return undefined;
}

function isStorage(v: unknown): v is StorageRef {
  return typeof v === 'object' && v !== null && (v as StorageRef).kind === 'storage';
}

let tensorCount = 0;

function rebuildTensor(args: unknown[]): TensorEntry {
  const [storage, storageOffset, size, stride] = args;
  if (!isStorage(storage)) {
    throw new CheckpointError('CHECKPOINT_BAD_PICKLE', `_rebuild_tensor: first argument is ${describe(storage)}, not a storage`);
  }
  return stridedEntry({
    name: `tensor #${tensorCount++} (storage ${storage.key})`,
    source: storage.source,
    storageByteOffset: () => storage.byteOffset(),
    storageNumel: storage.numel,
    dtype: storage.dtype,
    shape: size as number[],
    strides: stride as number[],
    storageOffset: storageOffset as number,
    bigEndian: storage.bigEndian,
  });
}

/** `_rebuild_tensor_v3(storage, offset, size, stride, requires_grad, hooks, dtype)`: an untyped storage read as `dtype`. */
function rebuildTensorV3(args: unknown[]): TensorEntry {
  const [storage, , , , , , dtypeObj] = args;
  const dtype = dtypeOf(dtypeObj);
  if (!isStorage(storage) || !dtype) {
    throw new CheckpointError('CHECKPOINT_UNSUPPORTED_DTYPE', `_rebuild_tensor_v3: ${describe(storage)} as ${describe(dtypeObj)}`);
  }
  const bytes = storage.numel * ELEMENT_SIZE[storage.dtype];
  const retyped: StorageRef = { ...storage, dtype, numel: Math.floor(bytes / ELEMENT_SIZE[dtype]), byteOffset: () => storage.byteOffset() };
  return rebuildTensor([retyped, ...args.slice(1, 4)]);
}

function firstArg(qualname: string): PyCallable {
  return new PyCallable(qualname, (args) => args[0]);
}

function inertClass(qualname: string): PyCallable {
  return new PyCallable(qualname, (args) => new PyObject(qualname, args));
}

const NUMPY_SCALAR_KINDS: Record<string, SourceDType> = {
  f8: 'float64', f4: 'float32', f2: 'float16', i8: 'int64', i4: 'int32', i2: 'int16', i1: 'int8', u1: 'uint8', b1: 'bool',
};

/** numpy.core.multiarray.scalar(dtype, bytes) → a JS number (numpy scalars in training checkpoints). */
function numpyScalar(args: unknown[]): number | bigint | boolean {
  const [dt, raw] = args;
  const kind = dt instanceof PyObject && typeof dt.args[0] === 'string' ? dt.args[0] : undefined;
  const dtype = kind ? NUMPY_SCALAR_KINDS[kind] : undefined;
  if (!dtype || !(raw instanceof Uint8Array) && typeof raw !== 'string') {
    throw new CheckpointError('CHECKPOINT_BAD_PICKLE', `numpy scalar of ${describe(dt)} is not supported`);
  }
  const bytes = typeof raw === 'string' ? Uint8Array.from(raw, (c) => c.charCodeAt(0)) : raw;
  if (bytes.length !== ELEMENT_SIZE[dtype]) {
    throw new CheckpointError('CHECKPOINT_BAD_PICKLE', `numpy ${kind} scalar of ${bytes.length} bytes`);
  }
  const dv = new DataView(bytes.slice().buffer);
  switch (dtype) {
    case 'float64': return dv.getFloat64(0, true);
    case 'float32': return dv.getFloat32(0, true);
    case 'int64': return dv.getBigInt64(0, true);
    case 'int32': return dv.getInt32(0, true);
    case 'int16': return dv.getInt16(0, true);
    case 'int8': return dv.getInt8(0);
    case 'uint8': return dv.getUint8(0);
    case 'bool': return dv.getUint8(0) !== 0;
    default: {
      const h = dv.getUint16(0, true);
      const e = (h >> 10) & 0x1f;
      const f = h & 0x3ff;
      const s = h & 0x8000 ? -1 : 1;
      return e === 0 ? s * f * 2 ** -24 : e === 31 ? (f ? NaN : s * Infinity) : s * (1 + f / 1024) * 2 ** (e - 15);
    }
  }
}

function buildAllowlist(): Map<string, unknown> {
  const g = new Map<string, unknown>();
  const rebuildV2 = new PyCallable('torch._utils._rebuild_tensor_v2', rebuildTensor);
  g.set(rebuildV2.qualname, rebuildV2);
  g.set('torch._utils._rebuild_tensor', new PyCallable('torch._utils._rebuild_tensor', rebuildTensor));
  g.set('torch._utils._rebuild_tensor_v3', new PyCallable('torch._utils._rebuild_tensor_v3', rebuildTensorV3));
  g.set('torch._utils._rebuild_parameter', firstArg('torch._utils._rebuild_parameter'));
  g.set('torch._utils._rebuild_parameter_with_state', firstArg('torch._utils._rebuild_parameter_with_state'));
  g.set(
    'torch._tensor._rebuild_from_type_v2',
    new PyCallable('torch._tensor._rebuild_from_type_v2', ([fn, , args]) => {
      if (!(fn instanceof PyCallable) || !Array.isArray(args)) {
        throw new CheckpointError('CHECKPOINT_BAD_PICKLE', `_rebuild_from_type_v2 of ${describe(fn)}`);
      }
      return fn.call(args);
    }),
  );
  for (const [name, dtype] of Object.entries(STORAGE_DTYPES)) {
    g.set(`torch.${name}`, new StorageType(`torch.${name}`, dtype));
    g.set(`torch.storage.${name}`, new StorageType(`torch.storage.${name}`, dtype));
  }
  for (const name of Object.keys(TORCH_DTYPES)) g.set(`torch.${name}`, `torch.${name}`);
  g.set('torch.Tensor', 'torch.Tensor');
  g.set('torch.nn.parameter.Parameter', 'torch.nn.parameter.Parameter');
  g.set('torch.Size', new PyCallable('torch.Size', ([dims]) => (Array.isArray(dims) ? [...dims] : [])));
  g.set('torch.device', new PyCallable('torch.device', (args) => args.join(':')));
  const ordered = new PyCallable('collections.OrderedDict', ([items]) => new Map(Array.isArray(items) ? (items as [unknown, unknown][]) : []));
  g.set('collections.OrderedDict', ordered);
  g.set('builtins.dict', ordered);
  for (const mod of ['builtins', '__builtin__']) {
    g.set(`${mod}.set`, new PyCallable(`${mod}.set`, ([items]) => new Set(Array.isArray(items) ? items : [])));
    g.set(`${mod}.frozenset`, new PyCallable(`${mod}.frozenset`, ([items]) => new Set(Array.isArray(items) ? items : [])));
    g.set(`${mod}.bytearray`, new PyCallable(`${mod}.bytearray`, ([b]) => (b instanceof Uint8Array ? b : new Uint8Array(0))));
    g.set(`${mod}.object`, inertClass(`${mod}.object`));
  }
  // Protocol 2 pickles bytes as _codecs.encode(str, 'latin1').
  g.set('_codecs.encode', new PyCallable('_codecs.encode', ([s]) => {
    if (typeof s !== 'string') throw new CheckpointError('CHECKPOINT_BAD_PICKLE', `_codecs.encode of ${describe(s)}, not a string`);
    return Uint8Array.from(s, (c) => c.charCodeAt(0) & 0xff);
  }));
  g.set('argparse.Namespace', inertClass('argparse.Namespace'));
  g.set('copyreg._reconstructor', new PyCallable('copyreg._reconstructor', ([cls]) => {
    if (cls instanceof PyCallable && cls.qualname === 'argparse.Namespace') return new PyObject(cls.qualname, []);
    throw new CheckpointError('CHECKPOINT_BAD_PICKLE', `copyreg._reconstructor of ${describe(cls)}`);
  }));
  for (const mod of ['numpy', 'numpy.core.multiarray', 'numpy._core.multiarray']) {
    if (mod !== 'numpy') g.set(`${mod}.scalar`, new PyCallable(`${mod}.scalar`, numpyScalar));
  }
  g.set('numpy.dtype', inertClass('numpy.dtype'));
  return g;
}

/**
 * `module.name` → inert stand-in, for every global a state dict or training checkpoint may name:
 * tensor rebuilders, storage classes, dtypes, `torch.Size`, `collections.OrderedDict`, sets,
 * `argparse.Namespace` (as a plain record) and numpy scalars. Everything else is refused.
 *
 * @example
 * STATE_DICT_GLOBALS.has('torch._utils._rebuild_tensor_v2'); // true
 * STATE_DICT_GLOBALS.has('os.system'); // false
 */
export const STATE_DICT_GLOBALS: ReadonlyMap<string, unknown> = buildAllowlist();
