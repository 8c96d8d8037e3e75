import { describe, expect, it } from 'vitest';
import { CheckpointError, UnsafePickleError } from './errors';
import { checkpointError, fixtureBytes } from './fixtures.testutil';
import { PY_STATE, PyObject, readPickle } from './pickle';
import { readCheckpoint } from './read_checkpoint';
import { bytesSource } from './source';
import type { TensorEntry } from './tensor_entry';
import { STATE_DICT_GLOBALS, type StorageRef } from './torch_globals';

/** Bytes from latin1 strings and byte arrays. */
function pk(...parts: (string | readonly number[])[]): Uint8Array {
  const out: number[] = [];
  for (const p of parts) {
    if (typeof p === 'string') for (const c of p) out.push(c.charCodeAt(0));
    else for (const b of p) out.push(b);
  }
  return Uint8Array.from(out);
}

const read = (bytes: Uint8Array) => readPickle(bytes, 0, { globals: STATE_DICT_GLOBALS }).value;

describe('pickle reader', () => {
  it.each([
    ['malicious_os_system_p2.pkl', 'posix.system'],
    ['malicious_eval_p4.pkl', 'builtins.eval'],
    ['malicious_popen_p5.pkl', 'subprocess.Popen'],
    ['malicious.pth', 'posix.system'],
  ])('refuses %s (written by Python pickle) naming %s', async (file, global) => {
    const err = await checkpointError(() => readCheckpoint(fixtureBytes(file)), 'CHECKPOINT_UNSAFE_GLOBAL');
    expect(err).toBeInstanceOf(UnsafePickleError);
    expect((err as UnsafePickleError).global).toBe(global);
    expect(err.message).toContain(global);
  });

  it.each(['os.system', '__builtin__.getattr', 'nt.system', 'builtins.exec', 'torch.load', 'collections.defaultdict'])(
    'refuses GLOBAL %s before anything is called',
    (name) => {
      const [m, n] = [name.slice(0, name.lastIndexOf('.')), name.slice(name.lastIndexOf('.') + 1)];
      const bytes = pk('\x80\x02c', m, '\n', n, '\nX\x02\x00\x00\x00ls\x85R.');
      expect(() => read(bytes)).toThrow(UnsafePickleError);
      expect(() => read(bytes)).toThrow(name);
      // and the same through STACK_GLOBAL (protocol 4)
      const sg = pk('\x80\x04\x8c', [m.length], m, '\x8c', [n.length], n, '\x93.');
      expect(() => read(sg)).toThrow(name);
    },
  );

  it('reads plain containers, numbers and strings', () => {
    // {'a': [1, -2, 3.5, True, None], 'b': (b'xy', 'é'), 7: 2**70}
    const v = read(
      pk(
        '\x80\x04}(\x8c\x01a](K\x01J\xfe\xff\xff\xffG@\x0c\x00\x00\x00\x00\x00\x00\x88Ne',
        '\x8c\x01bC\x02xy\x8c\x02\xc3\xa9\x86',
        'K\x07\x8a\x09', [0, 0, 0, 0, 0, 0, 0, 0, 0x40], 'u.',
      ),
    ) as Map<unknown, unknown>;
    expect(v.get('a')).toEqual([1, -2, 3.5, true, null]);
    expect(v.get('b')).toEqual([Uint8Array.from([120, 121]), 'é']);
    expect(v.get(7)).toBe(2n ** 70n);
  });

  it('reads argparse.Namespace (NEWOBJ + BUILD) as an inert record and keeps OrderedDict state', () => {
    const ns = read(pk('\x80\x02cargparse\nNamespace\n)\x81}X\x02\x00\x00\x00lrG?\xb9\x99\x99\x99\x99\x99\x9asb.')) as PyObject;
    expect(ns).toBeInstanceOf(PyObject);
    expect(ns.cls).toBe('argparse.Namespace');
    expect((ns.state as Map<string, number>).get('lr')).toBe(0.1);
    const od = read(pk('\x80\x02ccollections\nOrderedDict\n)R}X\x09\x00\x00\x00_metadataK\x01sb.')) as Map<string, unknown> & { [PY_STATE]?: unknown };
    expect(od).toBeInstanceOf(Map);
    expect((od[PY_STATE] as Map<string, number>).get('_metadata')).toBe(1);
  });

  it('rebuilds tensors (v2 and v3) over storages from persistent ids, as views', () => {
    const bytes = new Uint8Array(new Float32Array([0, 1, 2, 3, 4, 5]).buffer);
    const storage: StorageRef = { kind: 'storage', key: '0', dtype: 'uint8', numel: 24, source: bytesSource(bytes), byteOffset: () => 0 };
    // _rebuild_tensor_v3(storage, 1, (2, 2), (1, 2), False, OrderedDict(), torch.float32)
    const v3 = pk(
      '\x80\x02ctorch._utils\n_rebuild_tensor_v3\n(X\x01\x00\x00\x00pQK\x01K\x02K\x02\x86K\x01K\x02\x86\x89',
      'ccollections\nOrderedDict\n)Rctorch\nfloat32\ntR.',
    );
    const entry = readPickle(v3, 0, { globals: STATE_DICT_GLOBALS, persistentLoad: () => storage }).value as TensorEntry;
    expect(entry.dtype).toBe('float32');
    expect(Array.from(entry.values())).toEqual([1, 3, 2, 4]);
    const v2 = pk('\x80\x02ctorch._utils\n_rebuild_tensor_v2\n(X\x01\x00\x00\x00pQK\x00K\x02\x85K\x01\x85\x89NtR.');
    expect(() => readPickle(v2, 0, { globals: STATE_DICT_GLOBALS, persistentLoad: () => 'not a storage' })).toThrow(/not a storage/);
  });

  /** LONG_BINPUT / LONG_BINGET of memo slot `i`. */
  const put = (i: number) => [0x72, i & 0xff, (i >> 8) & 0xff, (i >> 16) & 0xff, i >>> 24];
  const get = (i: number) => [0x6a, i & 0xff, (i >> 8) & 0xff, (i >> 16) & 0xff, i >>> 24];
  /** A list nested `n` deep, built from the inside out ([], [[]], [[[]]], …), left on the stack. */
  function nestedBottomUp(n: number): number[] {
    const out = [0x5d, ...put(0)];
    for (let i = 0; i < n; i++) out.push(0x30, 0x5d, ...get(0), 0x61, ...put(0)); // POP [] X APPEND memo=Y
    return out;
  }
  /** A list nested `n` deep, built from the outside in: n empty lists, then each appended into the one before. */
  function nestedTopDown(n: number): number[] {
    const out: number[] = [];
    for (let i = 0; i <= n; i++) out.push(0x5d, ...put(i), 0x30);
    for (let i = 0; i < n; i++) out.push(...get(i), ...get(i + 1), 0x61, 0x30);
    out.push(...get(0));
    return out;
  }
  const rebuildWithSize = (size: number[]) =>
    pk('\x80\x02ctorch._utils\n_rebuild_tensor_v2\n(X\x01\x00\x00\x00pQK\x00', size, 'K\x01\x85\x89NtR.');
  const storage: StorageRef = { kind: 'storage', key: '0', dtype: 'float32', numel: 4, source: bytesSource(new Uint8Array(16)), byteOffset: () => 0 };

  it('a million nested lists as a tensor rebuild argument: a limit error, not a stack overflow', () => {
    const bytes = rebuildWithSize(nestedBottomUp(1_000_000));
    const err = (() => {
      try {
        readPickle(bytes, 0, { globals: STATE_DICT_GLOBALS, persistentLoad: () => storage });
      } catch (e) {
        return e as CheckpointError;
      }
    })();
    expect(err).toBeInstanceOf(CheckpointError);
    expect(err!.code).toBe('CHECKPOINT_LIMIT');
    expect(err!.message).toMatch(/^pickle: values nest deeper than 1000 \(opcode at byte \d+\)$/);
    // the bound is an option, and a nesting within it reads
    expect(() => read(pk('\x80\x02', nestedBottomUp(50), '.'))).not.toThrow();
    expect(() => readPickle(pk('\x80\x02', nestedBottomUp(50), '.'), 0, { globals: STATE_DICT_GLOBALS, maxDepth: 10 })).toThrow(/nest deeper than 10/);
    expect(() => readPickle(pk('\x80\x02', nestedBottomUp(50), '.'), 0, { globals: STATE_DICT_GLOBALS, maxItems: 20 })).toThrow(/hold more than 20 items/);
  });

  it('nesting built from the outside in (not measured on the way) still gives a short typed error', () => {
    const bytes = rebuildWithSize(nestedTopDown(100_000));
    let err: unknown;
    try {
      readPickle(bytes, 0, { globals: STATE_DICT_GLOBALS, persistentLoad: () => storage });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CheckpointError);
    expect((err as CheckpointError).code).toBe('CHECKPOINT_BAD_TENSOR');
    expect((err as Error).message).toMatch(/shape a tuple\/list of 1 is not a list of sizes$/);
  });

  it('gives typed errors, quickly, for hostile lengths and broken structure', () => {
    const cases: [Uint8Array, string][] = [
      [pk('\x80\x04X\xff\xff\xff\xff'), 'CHECKPOINT_TRUNCATED'], // 4 GB string in a 6-byte file
      [pk('\x80\x04\x8e', [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]), 'CHECKPOINT_TRUNCATED'],
      [pk('\x80\x02\x8b\xff\xff\xff\x00'), 'CHECKPOINT_LIMIT'], // LONG4 of 16 MB
      [pk('\x80\x02h\x05.'), 'CHECKPOINT_BAD_PICKLE'], // memo key never set
      [pk('\x80\x020.'), 'CHECKPOINT_BAD_PICKLE'], // POP from empty stack
      [pk('\x80\x02e.'), 'CHECKPOINT_BAD_PICKLE'], // APPENDS without MARK
      [pk('\x80\x02K\x01K\x02.'), 'CHECKPOINT_BAD_PICKLE'], // two values at STOP
      [pk('\x80\x02K\x01)R.'), 'CHECKPOINT_BAD_PICKLE'], // calling an int
      [pk('\x80\x02\xff'), 'CHECKPOINT_BAD_PICKLE'], // unknown opcode
      [pk('\x80\x09.'), 'CHECKPOINT_BAD_PICKLE'], // protocol 9
      [pk('\x80\x02K\x01Q.'), 'CHECKPOINT_BAD_PICKLE'], // persistent id without storages
      [pk('\x80\x02]'), 'CHECKPOINT_TRUNCATED'], // no STOP
    ];
    for (const [bytes, code] of cases) {
      const t0 = performance.now();
      let err: unknown;
      try {
        read(bytes);
      } catch (e) {
        err = e;
      }
      expect(err, `${[...bytes]}`).toBeInstanceOf(CheckpointError);
      expect((err as CheckpointError).code, (err as Error).message).toBe(code);
      expect(performance.now() - t0).toBeLessThan(100);
    }
  });

  it('bounds the memo and the stack', () => {
    const many = pk('\x80\x02', ...Array.from({ length: 50 }, (_, i) => ['K\x01q', [i]] as const).flat(), '.');
    expect(() => readPickle(many, 0, { globals: STATE_DICT_GLOBALS, maxMemo: 10 })).toThrow(/memo larger than 10/);
    expect(() => readPickle(many, 0, { globals: STATE_DICT_GLOBALS, maxStack: 10 })).toThrow(/stack deeper than 10/);
  });

  it('reads deep nesting without recursion (up to maxDepth; the default refuses it)', () => {
    const depth = 100_000;
    const bytes = pk('\x80\x02', ']'.repeat(depth), 'a'.repeat(depth - 1), '.');
    expect(() => read(bytes)).toThrow(/nest deeper than 1000/);
    let v = readPickle(bytes, 0, { globals: STATE_DICT_GLOBALS, maxDepth: depth }).value as unknown[];
    let d = 1;
    while (v.length) [v, d] = [v[0] as unknown[], d + 1];
    expect(d).toBe(depth);
  });
});
