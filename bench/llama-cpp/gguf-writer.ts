// A small GGUF v3 writer for the llama.cpp benchmark peer: typed metadata, tensor infos and
// tensor data in F32 or Q4_0, written tensor by tensor (rows pulled from a generator) so a
// model never sits in memory whole. Invariant: every tensor's data starts on `ALIGNMENT`.
import { closeSync, openSync, writeSync } from "node:fs";
import { f32ToF16Bits } from "../../apps/gpu-runner/src/weights/dtype.js";

/** general.alignment; llama.cpp's default, written explicitly anyway. */
export const ALIGNMENT = 32;

/** ggml_type ids (ggml.h). */
export const GgmlType = { F32: 0, Q4_0: 2 } as const;
export type GgmlType = (typeof GgmlType)[keyof typeof GgmlType];

/** gguf_type ids of metadata values (gguf.h). */
const ValueType = { U32: 4, I32: 5, F32: 6, BOOL: 7, STRING: 8, ARRAY: 9 } as const;

export type GgufValue =
  | { type: "u32"; value: number }
  | { type: "i32"; value: number }
  | { type: "f32"; value: number }
  | { type: "bool"; value: boolean }
  | { type: "string"; value: string }
  | { type: "string[]"; value: readonly string[] }
  | { type: "f32[]" | "i32[]"; value: ArrayLike<number> };

export interface GgufTensor {
  name: string;
  /** ggml order, innermost (contiguous) dimension first: a [out, in] matrix is [in, out]. */
  dims: readonly number[];
  type: GgmlType;
  /** Yields the tensor's values in memory order, in chunks of whole rows (dims[0] each). */
  rows: () => Iterable<Float32Array>;
}

const QK4_0 = 32;
const Q4_0_BLOCK_BYTES = 2 + QK4_0 / 2;

export function tensorBytes(t: Pick<GgufTensor, "dims" | "type">): number {
  const n = t.dims.reduce((a, b) => a * b, 1);
  if (t.type === GgmlType.F32) return n * 4;
  if (t.dims[0]! % QK4_0 !== 0) throw new Error(`gguf: Q4_0 needs the inner dim to be a multiple of ${QK4_0}`);
  return (n / QK4_0) * Q4_0_BLOCK_BYTES;
}

/**
 * ggml's quantize_row_q4_0_ref: per block of 32, d = (signed value of max |x|) / -8, and
 * q = min(15, trunc(x/d + 8.5)), so the extreme maps to q = 0 and value = (q - 8)·d.
 * Byte j of a block holds element j in its low nibble and element j+16 in its high nibble.
 */
export function quantizeQ4_0(x: Float32Array, out: Uint8Array = new Uint8Array(tensorBytesOf(x))): Uint8Array {
  const f = Math.fround;
  for (let b = 0, o = 0; b < x.length; b += QK4_0, o += Q4_0_BLOCK_BYTES) {
    let amax = 0;
    let max = 0;
    for (let j = 0; j < QK4_0; j++) {
      const v = x[b + j]!;
      if (amax < Math.abs(v)) {
        amax = Math.abs(v);
        max = v;
      }
    }
    const d = f(max / -8);
    const id = d ? f(1 / d) : 0;
    const h = f32ToF16Bits(d);
    out[o] = h & 0xff;
    out[o + 1] = h >>> 8;
    for (let j = 0; j < QK4_0 / 2; j++) {
      const q0 = Math.min(15, Math.trunc(f(f(x[b + j]! * id) + 8.5)));
      const q1 = Math.min(15, Math.trunc(f(f(x[b + j + QK4_0 / 2]! * id) + 8.5)));
      out[o + 2 + j] = q0 | (q1 << 4);
    }
  }
  return out;
}

function tensorBytesOf(x: Float32Array): number {
  return (x.length / QK4_0) * Q4_0_BLOCK_BYTES;
}

/** Little-endian byte builder for the header (a few MB at most). room() may reallocate `buf`,
 *  so every writer takes its offset before touching `buf`. */
class Bytes {
  private buf = Buffer.alloc(1 << 16);
  length = 0;
  private room(n: number): number {
    if (this.length + n > this.buf.length) {
      const next = Buffer.alloc(Math.max(this.buf.length * 2, this.length + n));
      this.buf.copy(next, 0, 0, this.length);
      this.buf = next;
    }
    const at = this.length;
    this.length += n;
    return at;
  }
  u32(v: number) {
    const at = this.room(4);
    this.buf.writeUInt32LE(v >>> 0, at);
  }
  i32(v: number) {
    const at = this.room(4);
    this.buf.writeInt32LE(v, at);
  }
  u64(v: number) {
    const at = this.room(8);
    this.buf.writeBigUInt64LE(BigInt(v), at);
  }
  f32(v: number) {
    const at = this.room(4);
    this.buf.writeFloatLE(v, at);
  }
  u8(v: number) {
    const at = this.room(1);
    this.buf.writeUInt8(v, at);
  }
  str(s: string) {
    const b = Buffer.from(s, "utf8");
    this.u64(b.length);
    const at = this.room(b.length);
    b.copy(this.buf, at);
  }
  pad(align: number) {
    this.room((align - (this.length % align)) % align);
  }
  bytes(): Buffer {
    return this.buf.subarray(0, this.length);
  }
}

/** Scalar writers and array element types, keyed by our value type names. */
const SCALARS = {
  u32: [ValueType.U32, (out: Bytes, v: number) => out.u32(v)],
  i32: [ValueType.I32, (out: Bytes, v: number) => out.i32(v)],
  f32: [ValueType.F32, (out: Bytes, v: number) => out.f32(v)],
} as const;

function writeValue(out: Bytes, v: GgufValue): void {
  if (v.type === "u32" || v.type === "i32" || v.type === "f32") {
    const [type, write] = SCALARS[v.type];
    out.u32(type);
    write(out, v.value);
  } else if (v.type === "bool") {
    out.u32(ValueType.BOOL);
    out.u8(v.value ? 1 : 0);
  } else if (v.type === "string") {
    out.u32(ValueType.STRING);
    out.str(v.value);
  } else {
    out.u32(ValueType.ARRAY);
    if (v.type === "string[]") {
      out.u32(ValueType.STRING);
      out.u64(v.value.length);
      for (const s of v.value) out.str(s);
    } else {
      const [type, write] = SCALARS[v.type === "f32[]" ? "f32" : "i32"];
      out.u32(type);
      out.u64(v.value.length);
      for (let i = 0; i < v.value.length; i++) write(out, v.value[i]!);
    }
  }
}

/** Writes a GGUF v3 file; returns its size in bytes. */
export function writeGguf(path: string, metadata: Record<string, GgufValue>, tensors: readonly GgufTensor[]): number {
  const head = new Bytes();
  head.u32(0x46554747); // "GGUF" read as a little-endian u32
  head.u32(3);
  head.u64(tensors.length);
  const kvs = Object.entries({ ...metadata, "general.alignment": { type: "u32", value: ALIGNMENT } as GgufValue });
  head.u64(kvs.length);
  for (const [key, value] of kvs) {
    head.str(key);
    writeValue(head, value);
  }
  let offset = 0;
  for (const t of tensors) {
    head.str(t.name);
    head.u32(t.dims.length);
    for (const d of t.dims) head.u64(d);
    head.u32(t.type);
    head.u64(offset);
    offset += Math.ceil(tensorBytes(t) / ALIGNMENT) * ALIGNMENT;
  }
  head.pad(ALIGNMENT);

  const fd = openSync(path, "w");
  try {
    let written = writeSync(fd, head.bytes());
    for (const t of tensors) written += writeTensorData(fd, t);
    return written;
  } finally {
    closeSync(fd);
  }
}

function writeTensorData(fd: number, t: GgufTensor): number {
  let written = 0;
  for (const chunk of t.rows()) {
    if (chunk.length % t.dims[0]! !== 0) throw new Error(`gguf: ${t.name}: chunk is not whole rows`);
    const bytes =
      t.type === GgmlType.F32 ? new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength) : quantizeQ4_0(chunk);
    written += writeSync(fd, bytes);
  }
  if (written !== tensorBytes(t))
    throw new Error(`gguf: ${t.name}: wrote ${written} bytes, expected ${tensorBytes(t)}`);
  const pad = (ALIGNMENT - (written % ALIGNMENT)) % ALIGNMENT;
  if (pad) writeSync(fd, new Uint8Array(pad));
  return written + pad;
}
