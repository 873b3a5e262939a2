// Writes a state dict in torch.save's zip layout (protocol-2 pickle + STORED, 64-byte aligned
// storages, zip64 when offsets or sizes pass 4 GiB), streaming one tensor at a time. For
// synthetic checkpoints in benchmarks and tests: the converter's reader must accept its output.

import { basename } from "node:path";
import * as zlib from "node:zlib";
import { writeFileAtomically } from "../weights/atomic-file.js";

export interface TorchTensorInput {
  name: string;
  dtype: "F32" | "F16" | "BF16";
  shape: readonly number[];
  /** Raw little-endian bytes, produced when the writer reaches this tensor. */
  data: () => Uint8Array;
}

const STORAGE = { F32: "FloatStorage", F16: "HalfStorage", BF16: "BFloat16Storage" } as const;
const ELEMENT = { F32: 4, F16: 2, BF16: 2 } as const;
const U32_MAX = 0xffffffff;

/** The protocol-2 pickle torch.save writes for a flat `{name: tensor}` dict. */
export function statePickle(tensors: readonly Omit<TorchTensorInput, "data">[]): Buffer {
  const parts: Buffer[] = [Buffer.from([0x80, 2, 0x7d, 0x28])];
  const b = (...x: number[]) => parts.push(Buffer.from(x));
  const s = (v: string) => {
    const len = Buffer.alloc(5);
    len[0] = 0x58;
    len.writeUInt32LE(Buffer.byteLength(v), 1);
    parts.push(len, Buffer.from(v));
  };
  const int = (n: number) => {
    const v = Buffer.alloc(n < 2 ** 31 ? 5 : 10);
    if (n < 2 ** 31) {
      v[0] = 0x4a; // BININT
      v.writeInt32LE(n, 1);
    } else {
      v[0] = 0x8a; // LONG1, 8 bytes
      v[1] = 8;
      v.writeBigInt64LE(BigInt(n), 2);
    }
    parts.push(v);
  };
  const g = (m: string, n: string) => parts.push(Buffer.from(`c${m}\n${n}\n`));
  tensors.forEach((t, key) => {
    const numel = t.shape.reduce((a, c) => a * c, 1);
    const strides = t.shape.map((_, i) => t.shape.slice(i + 1).reduce((a, c) => a * c, 1));
    s(t.name);
    g("torch._utils", "_rebuild_tensor_v2");
    b(0x28, 0x28);
    s("storage");
    g("torch", STORAGE[t.dtype]);
    s(String(key));
    s("cpu");
    int(numel);
    b(0x74, 0x51, 0x4b, 0, 0x28); // TUPLE BINPERSID, offset 0, MARK
    for (const d of t.shape) int(d);
    b(0x74, 0x28);
    for (const d of strides) int(d);
    b(0x74, 0x89);
    g("collections", "OrderedDict");
    b(0x29, 0x52, 0x74, 0x52);
  });
  b(0x75, 0x2e);
  return Buffer.concat(parts);
}

interface Written {
  name: Buffer;
  crc: number;
  size: number;
  offset: number;
  big: boolean;
}

export interface TorchWriteOptions {
  /** Write zip64 records even for small files (tests reach the >4 GiB code path this way). */
  forceZip64?: boolean;
}

/** Streams `tensors` into `path` (via a temporary name); peak memory is one tensor. */
export function writeTorchCheckpoint(
  path: string,
  tensors: readonly TorchTensorInput[],
  opts: TorchWriteOptions = {},
): void {
  const force = opts.forceZip64 === true;
  const archive = basename(path).replace(/\.[^.]*$/, "") || "archive";
  const done: Written[] = [];
  let pos = 0;
  let append: (buf: Uint8Array) => void = () => {};
  const write = (buf: Uint8Array) => {
    append(buf);
    pos += buf.length;
  };
  const entry = (name: string, data: Uint8Array) => {
    const nameBuf = Buffer.from(`${archive}/${name}`);
    const big = force || data.length >= U32_MAX || pos >= U32_MAX;
    const zip64 = big ? 20 : 0;
    // Pad the extra field so the data starts 64-byte aligned, as torch does.
    const pad = (64 - ((pos + 30 + nameBuf.length + zip64 + 4) % 64)) % 64;
    const h = Buffer.alloc(30);
    h.writeUInt32LE(0x04034b50, 0);
    h.writeUInt16LE(big ? 45 : 20, 4);
    const crc = zlib.crc32(data) >>> 0;
    h.writeUInt32LE(crc, 14);
    h.writeUInt32LE(big ? U32_MAX : data.length, 18);
    h.writeUInt32LE(big ? U32_MAX : data.length, 22);
    h.writeUInt16LE(nameBuf.length, 26);
    h.writeUInt16LE(zip64 + 4 + pad, 28);
    const extra = Buffer.alloc(zip64 + 4 + pad);
    if (big) {
      extra.writeUInt16LE(1, 0);
      extra.writeUInt16LE(16, 2);
      extra.writeBigUInt64LE(BigInt(data.length), 4);
      extra.writeBigUInt64LE(BigInt(data.length), 12);
    }
    extra.writeUInt16LE(0x4650, zip64); // torch's "FB" padding field
    extra.writeUInt16LE(pad, zip64 + 2);
    done.push({ name: nameBuf, crc, size: data.length, offset: pos, big });
    write(h);
    write(nameBuf);
    write(extra);
    write(data);
  };
  writeFileAtomically(path, (w) => {
    append = w;
    entry("data.pkl", statePickle(tensors));
    entry("byteorder", Buffer.from("little"));
    tensors.forEach((t, i) => {
      const data = t.data();
      const want = t.shape.reduce((a, c) => a * c, 1) * ELEMENT[t.dtype];
      if (data.length !== want) throw new Error(`${t.name}: ${data.length} bytes, expected ${want}`);
      entry(`data/${i}`, data);
    });
    entry("version", Buffer.from("3\n"));
    writeCentralDirectory(done, pos, write, force);
  });
}

function writeCentralDirectory(done: Written[], start: number, write: (b: Uint8Array) => void, force: boolean): void {
  let size = 0;
  for (const e of done) {
    const big = e.big;
    const c = Buffer.alloc(46);
    c.writeUInt32LE(0x02014b50, 0);
    c.writeUInt16LE(45, 4);
    c.writeUInt16LE(big ? 45 : 20, 6);
    c.writeUInt32LE(e.crc, 16);
    c.writeUInt32LE(big ? U32_MAX : e.size, 20);
    c.writeUInt32LE(big ? U32_MAX : e.size, 24);
    c.writeUInt16LE(e.name.length, 28);
    c.writeUInt16LE(big ? 28 : 0, 30);
    c.writeUInt32LE(big ? U32_MAX : e.offset, 42);
    const extra = Buffer.alloc(big ? 28 : 0);
    if (big) {
      extra.writeUInt16LE(1, 0);
      extra.writeUInt16LE(24, 2);
      extra.writeBigUInt64LE(BigInt(e.size), 4);
      extra.writeBigUInt64LE(BigInt(e.size), 12);
      extra.writeBigUInt64LE(BigInt(e.offset), 20);
    }
    write(c);
    write(e.name);
    write(extra);
    size += 46 + e.name.length + extra.length;
  }
  const z64 = force || start + size >= U32_MAX || start >= U32_MAX;
  if (z64) {
    const r = Buffer.alloc(56 + 20);
    r.writeUInt32LE(0x06064b50, 0);
    r.writeBigUInt64LE(44n, 4);
    r.writeUInt16LE(45, 12);
    r.writeUInt16LE(45, 14);
    r.writeBigUInt64LE(BigInt(done.length), 24);
    r.writeBigUInt64LE(BigInt(done.length), 32);
    r.writeBigUInt64LE(BigInt(size), 40);
    r.writeBigUInt64LE(BigInt(start), 48);
    r.writeUInt32LE(0x07064b50, 56); // locator
    r.writeBigUInt64LE(BigInt(start + size), 64);
    r.writeUInt32LE(1, 72);
    write(r);
  }
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(Math.min(done.length, 0xffff), 8);
  eocd.writeUInt16LE(Math.min(done.length, 0xffff), 10);
  eocd.writeUInt32LE(z64 ? U32_MAX : size, 12);
  eocd.writeUInt32LE(z64 ? U32_MAX : start, 16);
  write(eocd);
}
