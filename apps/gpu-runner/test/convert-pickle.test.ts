// The safe unpickler on hand-assembled pickles: the opcodes state dicts use (protocols 2
// and 4) give plain descriptors; every global outside the allow-list, every other opcode
// and every malformed stream is refused with an error that names it.
import { describe, expect, it } from "vitest";
import { ConvertError } from "../src/convert/errors.js";
import { unpickle } from "../src/convert/pickle.js";
import { isContiguous } from "../src/convert/torch-checkpoint.js";
import { PickledObject, StorageRef, TensorRef, torchHooks } from "../src/convert/torch-pickle.js";

const u8 = (...b: number[]) => Buffer.from(b);
const str = (s: string) => {
  const b = Buffer.from(s, "utf8");
  const len = Buffer.alloc(4);
  len.writeUInt32LE(b.length);
  return Buffer.concat([u8(0x58), len, b]); // BINUNICODE
};
const short = (s: string) => Buffer.concat([u8(0x8c, Buffer.byteLength(s)), Buffer.from(s)]); // SHORT_BINUNICODE
const global = (m: string, n: string) => Buffer.from(`c${m}\n${n}\n`);
const int1 = (n: number) => u8(0x4b, n);
const P2 = u8(0x80, 2);
const STOP = u8(0x2e);

/** `{"w": _rebuild_tensor_v2(('storage', FloatStorage, '0', 'cpu', 6), off, (2, 3), (3, 1), False, OrderedDict())}`. */
function stateDict(offset: Buffer = int1(0)): Buffer {
  return Buffer.concat([
    P2,
    u8(0x7d, 0x28), // EMPTY_DICT MARK
    str("w"),
    global("torch._utils", "_rebuild_tensor_v2"),
    u8(0x28, 0x28), // MARK (args) MARK (pid)
    str("storage"),
    global("torch", "FloatStorage"),
    str("0"),
    str("cpu"),
    int1(6),
    u8(0x74, 0x51), // TUPLE BINPERSID
    offset,
    int1(2),
    int1(3),
    u8(0x86), // TUPLE2
    int1(3),
    int1(1),
    u8(0x86, 0x89), // TUPLE2 NEWFALSE
    global("collections", "OrderedDict"),
    u8(0x29, 0x52, 0x74, 0x52), // EMPTY_TUPLE REDUCE TUPLE REDUCE
    u8(0x75), // SETITEMS
    STOP,
  ]);
}

const load = (b: Buffer) => unpickle(b, torchHooks("test.pkl"), "test.pkl");
function refusal(b: Buffer): ConvertError {
  try {
    load(b);
  } catch (e) {
    if (e instanceof ConvertError) return e;
    throw e;
  }
  throw new Error("expected a refusal");
}

describe("safe unpickler", () => {
  it("builds a plain tensor descriptor from a protocol-2 state dict", () => {
    const root = load(stateDict()) as Map<string, TensorRef>;
    const t = root.get("w")!;
    expect(t).toBeInstanceOf(TensorRef);
    expect(t.storage).toEqual(new StorageRef("F32", "0", "cpu", 6));
    expect([t.offset, t.shape, t.stride]).toEqual([0, [2, 3], [3, 1]]);
  });

  it("reads LONG1 offsets beyond 2^31 (tensors deep inside a big storage)", () => {
    const t = (load(stateDict(u8(0x8a, 5, 0, 0, 0, 0, 1))) as Map<string, TensorRef>).get("w")!;
    expect(t.offset).toBe(2 ** 32);
  });

  it("accepts protocol 4 framing, STACK_GLOBAL and MEMOIZE", () => {
    const b = Buffer.concat([
      u8(0x80, 4, 0x95, 0, 0, 0, 0, 0, 0, 0, 0),
      short("collections"),
      u8(0x94),
      short("OrderedDict"),
      u8(0x94, 0x93, 0x94, 0x29, 0x52, 0x94), // STACK_GLOBAL, (), REDUCE
      u8(0x28),
      short("a"),
      u8(0x47, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0), // BINFLOAT 1.0
      short("b"),
      u8(0x68, 3), // BINGET 3: the OrderedDict itself (memo 0-2 hold the names and the global)
      u8(0x75),
      STOP,
    ]);
    const root = load(b) as Map<string, unknown>;
    expect(root.get("a")).toBe(1);
    expect(root.get("b")).toBe(root);
  });

  it("keeps an allow-listed config record (mmengine Config) as inert data", () => {
    const b = Buffer.concat([
      P2,
      global("mmengine.config.config", "ConfigDict"),
      u8(0x29, 0x81, 0x28), // EMPTY_TUPLE NEWOBJ MARK
      str("lora_r"),
      int1(16),
      u8(0x75),
      STOP,
    ]);
    const o = load(b) as PickledObject;
    expect(o).toBeInstanceOf(PickledObject);
    expect(o.items.get("lora_r")).toBe(16);
  });

  it.each([
    ["os", "system", /refused pickle global os\.system/],
    ["builtins", "eval", /refused pickle global builtins\.eval/],
    ["torch.storage", "_load_from_bytes", /a tensor pickled inside a pickle/],
    ["__torch__.model", "VisionTransformer", /TorchScript archive/],
    ["numpy.core.multiarray", "scalar", /refused pickle global numpy\.core\.multiarray\.scalar/],
  ])("refuses the global %s.%s before anything could use it", (m, n, msg) => {
    const e = refusal(Buffer.concat([P2, global(m, n), str("echo hi"), u8(0x85, 0x52), STOP]));
    expect(e.code).toBe("unsafe_pickle");
    expect(e.message).toMatch(msg);
  });

  it("refuses STACK_GLOBAL of a non-allow-listed name", () => {
    const e = refusal(Buffer.concat([u8(0x80, 4), short("posix"), short("system"), u8(0x93), STOP]));
    expect(e.message).toMatch(/posix\.system/);
  });

  it.each([
    ["INST", 0x69],
    ["OBJ", 0x6f],
    ["EXT1", 0x82],
    ["SHORT_BINBYTES", 0x43],
    ["unknown", 0xff],
  ])("refuses opcode %s", (name, op) => {
    const e = refusal(Buffer.concat([P2, u8(0x28, op), STOP]));
    expect(e.code).toBe("unsafe_pickle");
    expect(e.message).toContain(`(${name}) at byte 3`);
  });

  it("refuses an unsupported storage type and a malformed persistent id", () => {
    const withType = stateDict().toString("latin1").replace("FloatStorage", "DoubleStorag");
    expect(refusal(Buffer.from(withType, "latin1")).message).toMatch(/refused pickle global torch\.DoubleStorag/);
    const pid = Buffer.concat([P2, str("weird"), u8(0x51), STOP]);
    expect(refusal(pid).message).toMatch(/unsupported persistent id "weird"/);
  });

  it.each([
    ["no STOP", Buffer.concat([P2, u8(0x7d)]), /no STOP/],
    ["stack underflow", Buffer.concat([P2, u8(0x52), STOP]), /stack underflow/],
    ["unknown memo key", Buffer.concat([P2, u8(0x68, 9), STOP]), /memo key 9/],
    ["string past the end", Buffer.concat([P2, u8(0x58, 0xff, 0xff, 0, 0)]), /needs 65535 more bytes/],
  ])("rejects a malformed pickle (%s)", (_what, b, msg) => {
    const e = refusal(b);
    expect(e.code).toBe("bad_pickle");
    expect(e.message).toMatch(msg);
  });
});

describe("contiguity", () => {
  it("accepts row-major strides (size-1 dims free) and rejects transposes", () => {
    expect(isContiguous([2, 3], [3, 1])).toBe(true);
    expect(isContiguous([1, 3], [99, 1])).toBe(true);
    expect(isContiguous([], [])).toBe(true);
    expect(isContiguous([3, 2], [1, 3])).toBe(false);
    expect(isContiguous([2, 3], [6, 1])).toBe(false);
  });
});
