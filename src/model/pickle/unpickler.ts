/**
 * A restricted pickle machine: the opcodes of protocols 2–5 that plain data (dicts, lists, tuples,
 * str, bytes, int, float, bool, None) needs, plus GLOBAL / REDUCE / BUILD / BINPERSID routed to
 * hooks that accept only an allow-list. Every other opcode is refused. It never calls anything
 * named in the file: globals become inert `PyGlobal` names and the hooks build plain descriptions.
 *
 * Input is one in-memory buffer. All lengths are checked before any allocation; the stack, the
 * memo and the mark depth are capped; there is no recursion and every opcode consumes at least one
 * byte, so the run time is linear in the pickle's length.
 */
import { AppError } from '../../errors';
import { PyDict, PyGlobal, PyTuple, typeName, type PyValue } from './values';

export interface UnpickleHooks {
  /** Return an inert reference for an allowed global; throw E_PICKLE_GLOBAL otherwise. */
  findGlobal(module: string, name: string): PyGlobal;
  /** `callable(*args)` for an allowed callable; throw for anything else. */
  reduce(callable: PyValue, args: PyValue): PyValue;
  /** Resolve a persistent id (BINPERSID); throw for anything unexpected. */
  persistentLoad(pid: PyValue): PyValue;
}

export interface UnpickleLimits {
  maxStack: number;
  maxMemo: number;
  maxMarks: number;
  /** Longest str/bytes value accepted (the state-dict pickles hold only short keys). */
  maxStringBytes: number;
}

export const DEFAULT_LIMITS: UnpickleLimits = {
  maxStack: 1 << 20,
  maxMemo: 1 << 20,
  maxMarks: 4096,
  maxStringBytes: 1 << 20,
};

/** Thrown (internally) when the buffer ends before STOP but more of the file could be read. */
export class NeedMoreBytes extends Error {
  constructor() {
    super('pickle continues past the bytes read so far');
    this.name = 'NeedMoreBytes';
  }
}

export interface UnpickleResult {
  value: PyValue;
  /** Offset just past the STOP opcode. */
  end: number;
}

/** Names of opcodes we refuse, for clear messages. */
const REFUSED_NAMES: Record<number, string> = {
  0x49: 'INT',
  0x4c: 'LONG',
  0x53: 'STRING',
  0x56: 'UNICODE',
  0x46: 'FLOAT',
  0x50: 'PERSID',
  0x67: 'GET',
  0x70: 'PUT',
  0x64: 'DICT',
  0x6c: 'LIST',
  0x69: 'INST',
  0x6f: 'OBJ',
  0x81: 'NEWOBJ',
  0x92: 'NEWOBJ_EX',
  0x82: 'EXT1',
  0x83: 'EXT2',
  0x84: 'EXT4',
  0x8f: 'EMPTY_SET',
  0x90: 'ADDITEMS',
  0x91: 'FROZENSET',
  0x96: 'BYTEARRAY8',
  0x97: 'NEXT_BUFFER',
  0x98: 'READONLY_BUFFER',
};

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decodeUtf8(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new AppError('E_PICKLE_FORMAT', 'a string in the pickle is not valid UTF-8');
  }
}

/** Little-endian two's-complement integer of arbitrary (already capped) length. */
function decodeLong(bytes: Uint8Array): number | bigint {
  if (bytes.length === 0) return 0;
  let v = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i]);
  if (bytes[bytes.length - 1] & 0x80) v -= 1n << BigInt(8 * bytes.length);
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

/**
 * Run one pickle starting at `start`. `complete` says whether `buf` reaches the end of the file:
 * if not, running off its end throws NeedMoreBytes so the caller can retry with more bytes.
 */
export function unpickle(buf: Uint8Array, start: number, hooks: UnpickleHooks, complete: boolean, limits: UnpickleLimits = DEFAULT_LIMITS): UnpickleResult {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const stack: PyValue[] = [];
  const marks: number[] = [];
  const memo = new Map<number, PyValue>();
  let pos = start;

  const truncated = (): never => {
    if (!complete) throw new NeedMoreBytes();
    throw new AppError('E_PICKLE_TRUNCATED', `the pickle at byte ${start} ends without STOP`);
  };
  const need = (n: number): void => {
    if (n < 0 || pos + n > buf.length) truncated();
  };
  const u8 = (): number => {
    need(1);
    return buf[pos++];
  };
  const u16 = (): number => {
    need(2);
    const v = dv.getUint16(pos, true);
    pos += 2;
    return v;
  };
  const u32 = (): number => {
    need(4);
    const v = dv.getUint32(pos, true);
    pos += 4;
    return v;
  };
  const i32 = (): number => {
    need(4);
    const v = dv.getInt32(pos, true);
    pos += 4;
    return v;
  };
  const u64 = (): number => {
    need(8);
    const lo = dv.getUint32(pos, true);
    const hi = dv.getUint32(pos + 4, true);
    pos += 8;
    if (hi >= 0x200000) throw new AppError('E_PICKLE_LIMIT', 'a length field is larger than any file');
    return hi * 0x100000000 + lo;
  };
  const bytes = (n: number): Uint8Array => {
    if (n > limits.maxStringBytes) throw new AppError('E_PICKLE_LIMIT', `a ${n}-byte string in the pickle`);
    need(n);
    const b = buf.subarray(pos, pos + n);
    pos += n;
    return b;
  };
  const line = (): string => {
    const maxLen = 256;
    const nl = buf.subarray(pos, pos + maxLen + 1).indexOf(0x0a);
    if (nl < 0) {
      if (buf.length - pos <= maxLen) truncated();
      throw new AppError('E_PICKLE_FORMAT', 'a GLOBAL name is too long');
    }
    const end = pos + nl;
    const s = decodeUtf8(buf.subarray(pos, end));
    pos = end + 1;
    return s;
  };
  const markBase = (): number => (marks.length ? marks[marks.length - 1] : 0);
  const push = (v: PyValue): void => {
    if (stack.length >= limits.maxStack) throw new AppError('E_PICKLE_LIMIT', 'the pickle stack is too deep');
    stack.push(v);
  };
  const pop = (): PyValue => {
    if (stack.length <= markBase()) throw new AppError('E_PICKLE_FORMAT', 'pickle stack underflow');
    return stack.pop() as PyValue;
  };
  const top = (): PyValue => {
    if (stack.length <= markBase()) throw new AppError('E_PICKLE_FORMAT', 'pickle stack underflow');
    return stack[stack.length - 1];
  };
  const popMark = (): PyValue[] => {
    const m = marks.pop();
    if (m === undefined) throw new AppError('E_PICKLE_FORMAT', 'pickle MARK missing');
    return stack.splice(m);
  };
  const put = (index: number): void => {
    if (!memo.has(index) && memo.size >= limits.maxMemo) throw new AppError('E_PICKLE_LIMIT', 'the pickle memo is too large');
    memo.set(index, top());
  };
  const get = (index: number): void => {
    const v = memo.get(index);
    if (v === undefined) throw new AppError('E_PICKLE_FORMAT', `pickle memo entry ${index} is missing`);
    push(v);
  };
  const setItems = (dict: PyValue, items: PyValue[]): void => {
    if (!(dict instanceof PyDict)) throw new AppError('E_PICKLE_FORMAT', `SETITEMS on ${typeName(dict)}`);
    if (items.length % 2 !== 0) throw new AppError('E_PICKLE_FORMAT', 'SETITEMS with an odd number of items');
    for (let i = 0; i < items.length; i += 2) dict.set(items[i], items[i + 1]);
  };
  const appendItems = (list: PyValue, items: PyValue[]): void => {
    if (!Array.isArray(list)) throw new AppError('E_PICKLE_FORMAT', `APPEND on ${typeName(list)}`);
    if (list.length + items.length > limits.maxStack) throw new AppError('E_PICKLE_LIMIT', 'a list in the pickle is too long');
    for (const it of items) list.push(it);
  };

  for (;;) {
    const opAt = pos;
    const op = u8();
    switch (op) {
      case 0x80: {
        // PROTO
        const proto = u8();
        if (proto > 5) throw new AppError('E_PICKLE_FORMAT', `pickle protocol ${proto}`);
        break;
      }
      case 0x95: // FRAME: framing is only a hint to buffered readers
        u64();
        break;
      case 0x2e: // STOP
        return { value: pop(), end: pos };
      case 0x28: // MARK
        if (marks.length >= limits.maxMarks) throw new AppError('E_PICKLE_LIMIT', 'pickle marks nested too deeply');
        marks.push(stack.length);
        break;
      case 0x30: // POP
        pop();
        break;
      case 0x31: // POP_MARK
        popMark();
        break;
      case 0x32: // DUP
        push(top());
        break;
      case 0x4e: // NONE
        push(null);
        break;
      case 0x88: // NEWTRUE
        push(true);
        break;
      case 0x89: // NEWFALSE
        push(false);
        break;
      case 0x4a: // BININT
        push(i32());
        break;
      case 0x4b: // BININT1
        push(u8());
        break;
      case 0x4d: // BININT2
        push(u16());
        break;
      case 0x8a: // LONG1
        push(decodeLong(bytes(u8())));
        break;
      case 0x8b: {
        // LONG4
        const n = i32();
        if (n < 0 || n > 64) throw new AppError('E_PICKLE_LIMIT', `a ${n}-byte integer`);
        push(decodeLong(bytes(n)));
        break;
      }
      case 0x47: {
        // BINFLOAT (big-endian double)
        need(8);
        push(dv.getFloat64(pos, false));
        pos += 8;
        break;
      }
      case 0x58: // BINUNICODE
        push(decodeUtf8(bytes(u32())));
        break;
      case 0x8c: // SHORT_BINUNICODE
        push(decodeUtf8(bytes(u8())));
        break;
      case 0x8d: // BINUNICODE8
        push(decodeUtf8(bytes(u64())));
        break;
      case 0x54: {
        // BINSTRING (Python 2 str): decoded as UTF-8 text, as torch.load does
        const n = i32();
        if (n < 0) throw new AppError('E_PICKLE_FORMAT', 'negative string length');
        push(decodeUtf8(bytes(n)));
        break;
      }
      case 0x55: // SHORT_BINSTRING
        push(decodeUtf8(bytes(u8())));
        break;
      case 0x42: // BINBYTES
        push(bytes(u32()).slice());
        break;
      case 0x43: // SHORT_BINBYTES
        push(bytes(u8()).slice());
        break;
      case 0x8e: // BINBYTES8
        push(bytes(u64()).slice());
        break;
      case 0x29: // EMPTY_TUPLE
        push(new PyTuple([]));
        break;
      case 0x85: // TUPLE1
        push(new PyTuple([pop()]));
        break;
      case 0x86: {
        // TUPLE2
        const b = pop();
        const a = pop();
        push(new PyTuple([a, b]));
        break;
      }
      case 0x87: {
        // TUPLE3
        const c = pop();
        const b = pop();
        const a = pop();
        push(new PyTuple([a, b, c]));
        break;
      }
      case 0x74: // TUPLE
        push(new PyTuple(popMark()));
        break;
      case 0x5d: // EMPTY_LIST
        push([]);
        break;
      case 0x61: {
        // APPEND
        const v = pop();
        appendItems(top(), [v]);
        break;
      }
      case 0x65: {
        // APPENDS
        const items = popMark();
        appendItems(top(), items);
        break;
      }
      case 0x7d: // EMPTY_DICT
        push(new PyDict(false));
        break;
      case 0x73: {
        // SETITEM
        const v = pop();
        const k = pop();
        setItems(top(), [k, v]);
        break;
      }
      case 0x75: {
        // SETITEMS
        const items = popMark();
        setItems(top(), items);
        break;
      }
      case 0x71: // BINPUT
        put(u8());
        break;
      case 0x72: // LONG_BINPUT
        put(u32());
        break;
      case 0x94: // MEMOIZE
        put(memo.size);
        break;
      case 0x68: // BINGET
        get(u8());
        break;
      case 0x6a: // LONG_BINGET
        get(u32());
        break;
      case 0x63: {
        // GLOBAL
        const module = line();
        const name = line();
        push(hooks.findGlobal(module, name));
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') {
          throw new AppError('E_PICKLE_FORMAT', 'STACK_GLOBAL needs two strings');
        }
        push(hooks.findGlobal(module, name));
        break;
      }
      case 0x52: {
        // REDUCE
        const args = pop();
        const callable = pop();
        push(hooks.reduce(callable, args));
        break;
      }
      case 0x62: {
        // BUILD: only OrderedDict attributes (a state dict's `_metadata`)
        const state = pop();
        const target = top();
        if (!(target instanceof PyDict) || !target.ordered || !(state instanceof PyDict)) {
          throw new AppError('E_PICKLE_FORMAT', `BUILD of ${typeName(target)} from ${typeName(state)}`);
        }
        for (const [k, v] of state.entries.values()) {
          if (typeof k !== 'string') throw new AppError('E_PICKLE_FORMAT', 'BUILD with a non-string attribute name');
          target.attributes.set(k, v);
        }
        break;
      }
      case 0x51: // BINPERSID
        push(hooks.persistentLoad(pop()));
        break;
      default: {
        const name = REFUSED_NAMES[op];
        const what = name ? `opcode ${name}` : `unknown opcode 0x${op.toString(16).padStart(2, '0')}`;
        throw new AppError('E_PICKLE_OPCODE', `${what} at byte ${opAt}`);
      }
    }
  }
}
