// A pickle reader (protocols 0–5 as written by torch.save and numpy) that never executes anything:
// every global is looked up in an allowlist of inert JS stand-ins, and anything else is refused.
import { assertAvailable, CheckpointError, UnsafePickleError } from './errors';

/**
 * An allowlisted callable global: REDUCE / NEWOBJ run `call` on the (already built) arguments.
 * `call` is our JS stand-in; nothing named by the pickle is ever looked up or run.
 *
 * @example
 * new PyCallable('torch.Size', ([dims]) => [...(dims as number[])]);
 */
export class PyCallable {
  constructor(
    /** `module.name`, e.g. `torch._utils._rebuild_tensor_v2`. */
    readonly qualname: string,
    readonly call: (args: unknown[]) => unknown,
  ) {}
}

/**
 * An inert object of an allowlisted class (e.g. `argparse.Namespace`): its args and BUILD state.
 *
 * @example
 * if (v instanceof PyObject && v.cls === 'argparse.Namespace') console.log((v.state as Map<string, unknown>).get('lr'));
 */
export class PyObject {
  state: unknown = undefined;
  constructor(
    readonly cls: string,
    readonly args: unknown[],
  ) {}
}

/** BUILD state applied to a container (e.g. the `_metadata` of a state-dict OrderedDict). */
export const PY_STATE: unique symbol = Symbol('pyState');

/** Options of {@link readPickle}. */
export interface PickleOptions {
  /** The allowlist: `module.name` → the value GLOBAL pushes. Anything absent is refused. */
  globals: ReadonlyMap<string, unknown>;
  /** Resolves a persistent id (BINPERSID / PERSID); without it, persistent ids are refused. */
  persistentLoad?: (pid: unknown) => unknown;
  /** Upper bounds on the memo size and the stack depth (hostile input). */
  maxMemo?: number;
  maxStack?: number;
  /**
   * Upper bound on how deeply containers nest (default 1000, CPython's own recursion limit, so no
   * pickle `torch.save` writes comes near it) and on the items all containers hold together
   * (default 2^26).
   */
  maxDepth?: number;
  maxItems?: number;
}

/** The result of {@link readPickle}: the value and the offset just after STOP. */
export interface PickleResult {
  value: unknown;
  end: number;
}

const MARK = Symbol('mark');
const MAX_LONG_BYTES = 4096;
const MAX_LINE = 1 << 16;
const utf8 = new TextDecoder('utf-8', { fatal: false });

function latin1(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 4096) s += String.fromCharCode(...bytes.subarray(i, i + 4096));
  return s;
}

/** Two's-complement little-endian integer → number when safe, else bigint. */
function decodeLong(bytes: Uint8Array): number | bigint {
  if (bytes.length === 0) return 0;
  let v = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i]);
  if (bytes[bytes.length - 1] & 0x80) v -= 1n << BigInt(8 * bytes.length);
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

/** A dict key as a JS Map key: ints as numbers when safe; everything else by value or identity. */
export function dictKey(k: unknown): unknown {
  if (typeof k === 'bigint' && k >= BigInt(Number.MIN_SAFE_INTEGER) && k <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(k);
  return k;
}

/**
 * Reads one pickle from `bytes` at `offset` without executing anything. Dicts become `Map`s,
 * lists and tuples arrays, sets `Set`s, str strings, bytes `Uint8Array`s, ints numbers (bigint
 * beyond 2^53), and allowlisted globals whatever the allowlist maps them to.
 *
 * @example
 * const { value } = readPickle(bytes, 0, { globals: STATE_DICT_GLOBALS, persistentLoad });
 */
export function readPickle(bytes: Uint8Array, offset: number, options: PickleOptions): PickleResult {
  const maxMemo = options.maxMemo ?? 1 << 22;
  const maxStack = options.maxStack ?? 1 << 24;
  const maxDepth = options.maxDepth ?? 1000;
  const maxItems = options.maxItems ?? 1 << 26;
  // How deeply each container nests, as its items arrived (a value built bottom-up carries its
  // depth); nothing below ever recurses into a value, so even a deeper one cannot overflow the stack.
  const depths = new WeakMap<object, number>();
  let items = 0;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const stack: unknown[] = [];
  const marks: number[] = [];
  const memo = new Map<number, unknown>();
  let pos = offset;
  let opAt = offset;

  const fail = (msg: string): never => {
    throw new CheckpointError('CHECKPOINT_BAD_PICKLE', `pickle: ${msg} (opcode at byte ${opAt})`);
  };
  const need = (n: number) => assertAvailable(`pickle opcode at byte ${opAt}`, pos, n, bytes.length);
  const u8 = () => (need(1), bytes[pos++]);
  const u16 = () => (need(2), (pos += 2), dv.getUint16(pos - 2, true));
  const u32 = () => (need(4), (pos += 4), dv.getUint32(pos - 4, true));
  const u64 = () => {
    need(8);
    const v = dv.getBigUint64(pos, true);
    pos += 8;
    if (v > BigInt(bytes.length)) assertAvailable(`pickle opcode at byte ${opAt}`, pos, Number.MAX_SAFE_INTEGER, bytes.length);
    return Number(v);
  };
  const take = (n: number) => (need(n), (pos += n), bytes.subarray(pos - n, pos));
  const line = (): string => {
    const end = bytes.indexOf(0x0a, pos);
    if (end < 0 || end - pos > MAX_LINE) fail('unterminated text argument');
    const s = latin1(bytes.subarray(pos, end));
    pos = end + 1;
    return s;
  };
  const depthOf = (v: unknown): number => (typeof v === 'object' && v !== null ? (depths.get(v) ?? 0) : 0);
  /** Records that `container` now holds `added`; returns it. */
  const nest = <T>(container: T, added: readonly unknown[]): T => {
    items += added.length;
    if (items > maxItems) throw new CheckpointError('CHECKPOINT_LIMIT', `pickle: containers hold more than ${maxItems} items (opcode at byte ${opAt})`);
    if (typeof container !== 'object' || container === null) return container;
    let d = depthOf(container);
    for (const x of added) d = Math.max(d, depthOf(x) + 1);
    if (d > maxDepth) throw new CheckpointError('CHECKPOINT_LIMIT', `pickle: values nest deeper than ${maxDepth} (opcode at byte ${opAt})`);
    depths.set(container, d);
    return container;
  };
  const push = (v: unknown) => {
    if (stack.length >= maxStack) throw new CheckpointError('CHECKPOINT_LIMIT', `pickle: stack deeper than ${maxStack}`);
    stack.push(v);
  };
  const pop = (): unknown => {
    if (stack.length === 0 || (marks.length && stack.length <= marks[marks.length - 1])) fail('pop from an empty stack');
    return stack.pop();
  };
  const top = (): unknown => {
    if (stack.length === 0) fail('empty stack');
    return stack[stack.length - 1];
  };
  const popMark = (): unknown[] => {
    const m = marks.pop();
    if (m === undefined) return fail('no MARK on the stack');
    return stack.splice(m);
  };
  const put = (i: number) => {
    if (memo.size >= maxMemo && !memo.has(i)) throw new CheckpointError('CHECKPOINT_LIMIT', `pickle: memo larger than ${maxMemo}`);
    memo.set(i, top());
  };
  const get = (i: number) => {
    if (!memo.has(i)) fail(`memo key ${i} was never set`);
    push(memo.get(i));
  };
  const global = (module: string, name: string) => {
    const qualname = `${module}.${name}`;
    if (!options.globals.has(qualname)) throw new UnsafePickleError(qualname, opAt);
    push(options.globals.get(qualname));
  };
  const call = (fn: unknown, args: unknown): unknown => {
    if (!(fn instanceof PyCallable)) return fail(`REDUCE/NEWOBJ on ${describe(fn)}, which is not callable`);
    if (!Array.isArray(args)) return fail(`${fn.qualname}: arguments are ${describe(args)}, not a tuple`);
    return nest(fn.call(args), [args]);
  };
  const setItems = (dict: unknown, kv: unknown[]) => {
    if (!(dict instanceof Map)) fail(`SETITEM(S) on ${describe(dict)}`);
    if (kv.length % 2) fail('SETITEMS with an odd number of items');
    for (let i = 0; i < kv.length; i += 2) (dict as Map<unknown, unknown>).set(dictKey(kv[i]), kv[i + 1]);
    nest(dict, kv);
  };
  const appendItems = (list: unknown, xs: unknown[]) => {
    if (list instanceof Set) for (const x of xs) list.add(dictKey(x));
    else if (Array.isArray(list)) for (const x of xs) list.push(x);
    else fail(`APPEND(S) on ${describe(list)}`);
    nest(list, xs);
  };
  const persistent = (pid: unknown) => {
    if (!options.persistentLoad) fail('persistent id in a pickle that has no external storages');
    push(options.persistentLoad!(pid));
  };

  for (;;) {
    opAt = pos;
    const op = u8();
    switch (op) {
      case 0x80: { // PROTO
        const p = u8();
        if (p > 5) fail(`protocol ${p} is newer than 5`);
        break;
      }
      case 0x95: u64(); break; // FRAME: a hint only
      case 0x2e: { // STOP
        if (stack.length !== 1 || marks.length) fail(`STOP with ${stack.length} values on the stack`);
        return { value: stack[0], end: pos };
      }
      case 0x28: marks.push(stack.length); break; // MARK
      case 0x30: pop(); break; // POP
      case 0x31: popMark(); break; // POP_MARK
      case 0x32: push(top()); break; // DUP
      case 0x4e: push(null); break; // NONE
      case 0x88: push(true); break; // NEWTRUE
      case 0x89: push(false); break; // NEWFALSE
      case 0x4a: need(4); push(dv.getInt32(pos, true)); pos += 4; break; // BININT
      case 0x4b: push(u8()); break; // BININT1
      case 0x4d: push(u16()); break; // BININT2
      case 0x8a: push(decodeLong(take(u8()))); break; // LONG1
      case 0x8b: { // LONG4
        const n = u32();
        if (n > MAX_LONG_BYTES) throw new CheckpointError('CHECKPOINT_LIMIT', `pickle: LONG4 of ${n} bytes at byte ${opAt}`);
        push(decodeLong(take(n)));
        break;
      }
      case 0x49: { // INT (text; also True/False in protocol 0)
        const s = line();
        if (s === '01' || s === '00') push(s === '01');
        else if (/^-?\d{1,400}$/.test(s)) push(dictKey(BigInt(s)));
        else fail(`INT ${JSON.stringify(s.slice(0, 40))}`);
        break;
      }
      case 0x4c: { // LONG (text)
        const s = line().replace(/L$/, '');
        if (!/^-?\d{1,400}$/.test(s)) fail(`LONG ${JSON.stringify(s.slice(0, 40))}`);
        push(dictKey(BigInt(s)));
        break;
      }
      case 0x47: need(8); push(dv.getFloat64(pos, false)); pos += 8; break; // BINFLOAT (big-endian)
      case 0x46: { // FLOAT (text)
        const s = line();
        const v = Number(s);
        if (Number.isNaN(v) && !/^-?nan$/i.test(s)) fail(`FLOAT ${JSON.stringify(s.slice(0, 40))}`);
        push(v);
        break;
      }
      case 0x58: push(utf8.decode(take(u32()))); break; // BINUNICODE
      case 0x8c: push(utf8.decode(take(u8()))); break; // SHORT_BINUNICODE
      case 0x8d: push(utf8.decode(take(u64()))); break; // BINUNICODE8
      case 0x56: push(line()); break; // UNICODE (raw-unicode-escape; ASCII in practice)
      case 0x54: push(latin1(take(u32()))); break; // BINSTRING (py2 str)
      case 0x55: push(latin1(take(u8()))); break; // SHORT_BINSTRING
      case 0x42: push(take(u32()).slice()); break; // BINBYTES
      case 0x43: push(take(u8()).slice()); break; // SHORT_BINBYTES
      case 0x8e: push(take(u64()).slice()); break; // BINBYTES8
      case 0x96: push(take(u64()).slice()); break; // BYTEARRAY8
      case 0x29: push([]); break; // EMPTY_TUPLE
      case 0x5d: push([]); break; // EMPTY_LIST
      case 0x7d: push(new Map()); break; // EMPTY_DICT
      case 0x8f: push(new Set()); break; // EMPTY_SET
      case 0x85: { const a = [pop()]; push(nest(a, a)); break; } // TUPLE1
      case 0x86: { const b = pop(); const t = [pop(), b]; push(nest(t, t)); break; } // TUPLE2
      case 0x87: { const c = pop(); const b = pop(); const t = [pop(), b, c]; push(nest(t, t)); break; } // TUPLE3
      case 0x74: case 0x6c: { const t = popMark(); push(nest(t, t)); break; } // TUPLE, LIST
      case 0x64: { const d = new Map(); setItems(d, popMark()); push(d); break; } // DICT
      case 0x91: { const xs = popMark(); push(nest(new Set(xs.map(dictKey)), xs)); break; } // FROZENSET
      case 0x61: { const x = pop(); appendItems(top(), [x]); break; } // APPEND
      case 0x65: { const xs = popMark(); appendItems(top(), xs); break; } // APPENDS
      case 0x90: { const xs = popMark(); appendItems(top(), xs); break; } // ADDITEMS
      case 0x73: { const v = pop(); const k = pop(); setItems(top(), [k, v]); break; } // SETITEM
      case 0x75: { const xs = popMark(); setItems(top(), xs); break; } // SETITEMS
      case 0x71: put(u8()); break; // BINPUT
      case 0x72: put(u32()); break; // LONG_BINPUT
      case 0x70: put(Number(line())); break; // PUT
      case 0x94: put(memo.size); break; // MEMOIZE
      case 0x68: get(u8()); break; // BINGET
      case 0x6a: get(u32()); break; // LONG_BINGET
      case 0x67: get(Number(line())); break; // GET
      case 0x63: { const m = line(); global(m, line()); break; } // GLOBAL
      case 0x93: { // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') fail('STACK_GLOBAL on non-strings');
        global(module as string, name as string);
        break;
      }
      case 0x69: { // INST: module, name, then the args since MARK
        const m = line();
        global(m, line());
        const cls = pop();
        push(call(cls, popMark()));
        break;
      }
      case 0x6f: { const [cls, ...args] = popMark(); push(call(cls, args)); break; } // OBJ
      case 0x52: { const args = pop(); push(call(pop(), args)); break; } // REDUCE
      case 0x81: { const args = pop(); push(call(pop(), args)); break; } // NEWOBJ
      case 0x92: { pop(); const args = pop(); push(call(pop(), args)); break; } // NEWOBJ_EX (kwargs dropped)
      case 0x62: { // BUILD
        const state = pop();
        const obj = top();
        if (obj instanceof PyObject) obj.state = state;
        else if (obj !== null && typeof obj === 'object') (obj as { [PY_STATE]?: unknown })[PY_STATE] = state;
        else fail(`BUILD on ${describe(obj)}`);
        nest(obj, [state]);
        break;
      }
      case 0x51: persistent(pop()); break; // BINPERSID
      case 0x50: persistent(line()); break; // PERSID
      case 0x82: case 0x83: case 0x84: fail('extension registry codes (EXT1/2/4) are not supported');
      // falls through (fail throws)
      case 0x97: case 0x98: fail('out-of-band buffers (protocol 5) are not supported');
      // falls through
      default: fail(`unknown opcode 0x${op.toString(16).padStart(2, '0')}`);
    }
  }
}

/** A short description of a pickle value for error messages. */
export function describe(v: unknown): string {
  if (v === null) return 'None';
  if (v instanceof PyCallable) return v.qualname;
  if (v instanceof PyObject) return `a ${v.cls}`;
  if (v instanceof Map) return `a dict of ${v.size}`;
  if (Array.isArray(v)) return `a tuple/list of ${v.length}`;
  if (v instanceof Uint8Array) return `bytes of ${v.length}`;
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  return typeof v === 'object' ? (v.constructor?.name ?? 'an object') : `${typeof v} ${String(v)}`;
}
