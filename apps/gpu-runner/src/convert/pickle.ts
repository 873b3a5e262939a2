// A safe pickle VM for the subset of opcodes state dicts use. It never imports or calls
// anything: GLOBAL yields an inert reference that the caller's allow-list must accept, and
// REDUCE/NEWOBJ/BINPERSID hand plain data to the caller, which builds plain descriptors.
import { ConvertError } from "./errors.js";
import { GlobalRef, type PickleHooks } from "./pickle-hooks.js";
import { decodeLong, REFUSED_OPCODE_NAMES } from "./pickle-opcodes.js";

export { GlobalRef, type PickleHooks } from "./pickle-hooks.js";

const MARK = Symbol("mark");

export function unpickle(bytes: Uint8Array, hooks: PickleHooks, source: string): unknown {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const stack: unknown[] = [];
  const memo = new Map<number, unknown>();
  let pos = 0;
  const fail = (msg: string) => new ConvertError("bad_pickle", `${source}: malformed pickle at byte ${pos}: ${msg}`);
  const need = (n: number) => {
    if (pos + n > buf.length) throw fail(`needs ${n} more bytes, only ${buf.length - pos} left`);
    const at = pos;
    pos += n;
    return at;
  };
  const pop = () => {
    if (stack.length === 0 || stack[stack.length - 1] === MARK) throw fail("stack underflow");
    return stack.pop();
  };
  const top = () => {
    if (stack.length === 0 || stack[stack.length - 1] === MARK) throw fail("stack underflow");
    return stack[stack.length - 1];
  };
  const popMark = () => {
    const i = stack.lastIndexOf(MARK);
    if (i < 0) throw fail("no MARK on the stack");
    const items = stack.splice(i);
    items.shift();
    return items;
  };
  const str = (n: number) => buf.toString("utf8", need(n), pos);
  const line = () => {
    const end = buf.indexOf(0x0a, pos);
    if (end < 0) throw fail("unterminated line");
    const s = buf.toString("utf8", pos, end);
    pos = end + 1;
    return s;
  };
  const get = (k: number) => {
    if (!memo.has(k)) throw fail(`memo key ${k} was never stored`);
    return memo.get(k);
  };
  const setItems = (target: unknown, flat: unknown[]) => {
    if (flat.length % 2) throw fail("SETITEMS with an odd number of items");
    const pairs: [unknown, unknown][] = [];
    for (let i = 0; i < flat.length; i += 2) pairs.push([flat[i], flat[i + 1]]);
    if (target instanceof Map) for (const [k, v] of pairs) target.set(k, v);
    else if (hooks.setItems) hooks.setItems(target, pairs);
    else throw fail("SETITEM on something that is not a dict");
  };
  const append = (target: unknown, items: unknown[]) => {
    if (!Array.isArray(target) || Object.isFrozen(target)) throw fail("APPEND on something that is not a list");
    target.push(...items);
  };

  while (pos < buf.length) {
    const at = pos;
    const op = buf[need(1)];
    switch (op) {
      case 0x80: // PROTO
        need(1);
        break;
      case 0x95: // FRAME: framing only, the bytes follow inline
        need(8);
        break;
      case 0x2e: // STOP
        if (stack.length !== 1) throw fail(`STOP with ${stack.length} items on the stack`);
        return stack[0];
      case 0x28: // MARK
        stack.push(MARK);
        break;
      case 0x30: // POP
        pop();
        break;
      case 0x31: // POP_MARK
        popMark();
        break;
      case 0x32: // DUP
        stack.push(top());
        break;
      case 0x7d: // EMPTY_DICT
        stack.push(new Map());
        break;
      case 0x64: // DICT
        stack.push(new Map());
        setItems(stack[stack.length - 1], popMark());
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
      case 0x5d: // EMPTY_LIST
        stack.push([]);
        break;
      case 0x6c: // LIST
        stack.push(popMark());
        break;
      case 0x61: {
        // APPEND
        const v = pop();
        append(top(), [v]);
        break;
      }
      case 0x65: {
        // APPENDS
        const items = popMark();
        append(top(), items);
        break;
      }
      // Tuples are frozen arrays: immutable as in Python, and told apart from lists.
      case 0x29: // EMPTY_TUPLE
        stack.push(Object.freeze([]));
        break;
      case 0x74: // TUPLE
        stack.push(Object.freeze(popMark()));
        break;
      case 0x85:
      case 0x86:
      case 0x87: {
        // TUPLE1..3
        const items = Array.from({ length: op - 0x84 }, () => pop()).reverse();
        stack.push(Object.freeze(items));
        break;
      }
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88: // NEWTRUE
        stack.push(true);
        break;
      case 0x89: // NEWFALSE
        stack.push(false);
        break;
      case 0x4a: // BININT
        stack.push(buf.readInt32LE(need(4)));
        break;
      case 0x4b: // BININT1
        stack.push(buf[need(1)]);
        break;
      case 0x4d: // BININT2
        stack.push(buf.readUInt16LE(need(2)));
        break;
      case 0x8a: // LONG1
      case 0x8b: {
        // LONG4: little-endian two's complement; offsets and numels of big tensors
        const n = op === 0x8a ? buf[need(1)] : buf.readUInt32LE(need(4));
        stack.push(decodeLong(buf.subarray(need(n), pos)));
        break;
      }
      case 0x47: // BINFLOAT (big-endian)
        stack.push(buf.readDoubleBE(need(8)));
        break;
      case 0x58: // BINUNICODE
        stack.push(str(buf.readUInt32LE(need(4))));
        break;
      case 0x8c: // SHORT_BINUNICODE
        stack.push(str(buf[need(1)]));
        break;
      case 0x8d: // BINUNICODE8
        stack.push(str(Number(buf.readBigUInt64LE(need(8)))));
        break;
      case 0x55: // SHORT_BINSTRING (Python 2 str)
        stack.push(buf.toString("latin1", need(buf[need(1)]), pos));
        break;
      case 0x54: // BINSTRING
        stack.push(buf.toString("latin1", need(buf.readUInt32LE(need(4))), pos));
        break;
      case 0x71: // BINPUT
        memo.set(buf[need(1)], top());
        break;
      case 0x72: // LONG_BINPUT
        memo.set(buf.readUInt32LE(need(4)), top());
        break;
      case 0x94: // MEMOIZE
        memo.set(memo.size, top());
        break;
      case 0x68: // BINGET
        stack.push(get(buf[need(1)]));
        break;
      case 0x6a: // LONG_BINGET
        stack.push(get(buf.readUInt32LE(need(4))));
        break;
      case 0x63: {
        // GLOBAL "module\nname\n": the hook decides; nothing is imported
        const module = line();
        stack.push(hooks.global(module, line()));
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== "string" || typeof name !== "string") throw fail("STACK_GLOBAL needs two strings");
        stack.push(hooks.global(module, name));
        break;
      }
      case 0x52: {
        // REDUCE
        const args = pop();
        const fn = pop();
        if (!(fn instanceof GlobalRef) || !Array.isArray(args)) throw fail("REDUCE needs a global and a tuple");
        stack.push(hooks.reduce(fn, [...args]));
        break;
      }
      case 0x81: {
        // NEWOBJ
        const args = pop();
        const cls = pop();
        if (!(cls instanceof GlobalRef) || !Array.isArray(args)) throw fail("NEWOBJ needs a class and a tuple");
        stack.push(hooks.newobj(cls, [...args]));
        break;
      }
      case 0x62: {
        // BUILD
        const state = pop();
        stack.push(hooks.build(pop(), state));
        break;
      }
      case 0x51: // BINPERSID
        stack.push(hooks.persistentLoad(pop()));
        break;
      default: {
        const name = REFUSED_OPCODE_NAMES[op] ?? "unknown";
        throw new ConvertError(
          "unsafe_pickle",
          `${source}: refused pickle opcode 0x${op.toString(16).padStart(2, "0")} (${name}) at byte ${at}: state dicts do not use it`,
        );
      }
    }
  }
  throw fail("no STOP opcode");
}
