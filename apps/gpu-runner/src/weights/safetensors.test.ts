import { openSync, readFileSync, readSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { f16BitsToF32, f32ToBf16Bits, f32ToF16Bits } from "./dtype.js";
import { openSafetensors, writeSafetensors } from "./safetensors.js";
import { tempDir, weightsErrorOf, writeRawSafetensors } from "./test-util.js";

const dir = tempDir();
const values = (n: number, k = 1) => Float32Array.from({ length: n }, (_, i) => (i - n / 3) * 0.37 * k);

describe("safetensors round trip", () => {
  const path = join(dir, "mixed.safetensors");
  const a = values(6);
  const b = values(5, -2); // odd length in a 2-byte dtype: alignment must still hold
  const c = values(7, 3);
  writeSafetensors(
    path,
    [
      { name: "z.f32", dtype: "F32", shape: [2, 3], data: a },
      { name: "b.f16", dtype: "F16", shape: [5], data: b },
      { name: "a.bf16", dtype: "BF16", shape: [7, 1], data: () => c },
      { name: "scalar", dtype: "F32", shape: [], data: Float32Array.of(4.5) },
    ],
    { format: "pt", note: "héllo" },
  );

  it("reads back names, shapes, dtypes and metadata", () => {
    const f = openSafetensors(path);
    expect(f.path).toBe(path);
    expect(f.metadata).toEqual({ format: "pt", note: "héllo" });
    expect([...f.tensors.keys()].sort()).toEqual(["a.bf16", "b.f16", "scalar", "z.f32"]);
    expect(f.tensors.get("z.f32")).toMatchObject({ dtype: "F32", shape: [2, 3], byteLength: 24 });
    expect(f.tensors.get("scalar")).toMatchObject({ shape: [], byteLength: 4 });
    expect(f.warnings).toEqual([]);
    f.close();
  });

  it("returns f32 exactly and f16/bf16 rounded to nearest even", () => {
    const f = openSafetensors(path);
    expect(f.readTensor("z.f32")).toEqual(a);
    expect([...f.readTensor("b.f16")]).toEqual([...b].map((x) => f16BitsToF32(f32ToF16Bits(x))));
    const bfExpected = [...c].map((x) => new Float32Array(new Uint32Array([f32ToBf16Bits(x) << 16]).buffer)[0]);
    expect([...f.readTensor("a.bf16")]).toEqual(bfExpected);
    expect([...f.readTensor("scalar")]).toEqual([4.5]);
    f.close();
  });

  it("exposes ABSOLUTE offsets: the bytes at byteOffset in the file are the tensor", () => {
    const f = openSafetensors(path);
    const file = readFileSync(path);
    for (const t of f.tensors.values()) {
      const manual = file.subarray(t.byteOffset, t.byteOffset + t.byteLength);
      expect(Buffer.from(f.readTensorRaw(t.name)).equals(manual)).toBe(true);
      // Each tensor is aligned to its element size (ONNX external data / typed-array views).
      expect(t.byteOffset % (t.dtype === "F32" ? 4 : 2)).toBe(0);
    }
    const fd = openSync(path, "r");
    const t = f.tensors.get("z.f32")!;
    const buf = new Float32Array(6);
    readSync(fd, new Uint8Array(buf.buffer), 0, t.byteLength, t.byteOffset);
    expect(buf).toEqual(a);
    f.close();
  });

  it("writes the standard layout: header padded with spaces to 8, data packed, sorted by name", () => {
    const file = readFileSync(path);
    const n = Number(file.readBigUInt64LE(0));
    expect(n % 8).toBe(0);
    const json = file.subarray(8, 8 + n).toString("utf8");
    expect(json.trimEnd().endsWith("}")).toBe(true);
    expect(json.slice(json.trimEnd().length)).toMatch(/^ *$/);
    const header = JSON.parse(json);
    // F32 first, names sorted within a dtype size; offsets contiguous from 0 to the end.
    const order = Object.keys(header).filter((k) => k !== "__metadata__");
    expect(order).toEqual(["scalar", "z.f32", "a.bf16", "b.f16"]);
    let end = 0;
    for (const k of order) {
      expect(header[k].data_offsets[0]).toBe(end);
      end = header[k].data_offsets[1];
    }
    expect(8 + n + end).toBe(file.length);
  });

  it("reads a file laid out by hand per the spec", () => {
    const p = join(dir, "hand.safetensors");
    const data = new Uint8Array(Float32Array.of(1, 2, 3).buffer);
    const header = { w: { dtype: "F32", shape: [3], data_offsets: [0, 12] }, __metadata__: { k: "v" } };
    const f = openSafetensors(writeRawSafetensors(p, header, data));
    expect([...f.readTensor("w")]).toEqual([1, 2, 3]);
    expect(f.tensors.get("w")!.byteOffset).toBe(8 + JSON.stringify(header).length);
    f.close();
  });

  it("refuses a tensor whose data does not match its shape", () => {
    const e = weightsErrorOf(() =>
      writeSafetensors(join(dir, "bad.safetensors"), [{ name: "x", dtype: "F32", shape: [2, 2], data: values(3) }]),
    );
    expect(e.code).toBe("shape_mismatch");
    expect(e.message).toContain("x has 3 values but shape [2, 2] needs 4");
  });
});
