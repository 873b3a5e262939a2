import { openSync, readFileSync, readSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { f16BitsToF32, f32ToBf16Bits, f32ToF16Bits } from "./dtype.js";
import { WeightsError } from "./errors.js";
import { openSafetensors, writeSafetensors } from "./safetensors.js";
import { tempDir, writeRawSafetensors } from "./test-util.js";

const dir = tempDir();
const values = (n: number, k = 1) => Float32Array.from({ length: n }, (_, i) => (i - n / 3) * 0.37 * k);

/** The thrown WeightsError (fails the test if none or another type was thrown). */
function errorOf(fn: () => unknown): WeightsError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(WeightsError);
    return e as WeightsError;
  }
  throw new Error("expected a WeightsError");
}

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
    const e = errorOf(() =>
      writeSafetensors(join(dir, "bad.safetensors"), [{ name: "x", dtype: "F32", shape: [2, 2], data: values(3) }]),
    );
    expect(e.code).toBe("shape_mismatch");
    expect(e.message).toContain("x has 3 values but shape [2, 2] needs 4");
  });
});

describe("safetensors: each kind of bad file has its own clear error", () => {
  const f32 = (n: number) => new Uint8Array(n * 4);
  const ok = { w: { dtype: "F32", shape: [2], data_offsets: [0, 8] } };
  const cases: Array<[string, () => string, string, RegExp]> = [
    [
      "shorter than 8 bytes",
      () => (writeFileSync(join(dir, "short.safetensors"), Buffer.from([1, 2, 3])), join(dir, "short.safetensors")),
      "truncated",
      /short\.safetensors: truncated: 3 bytes/,
    ],
    [
      "header length past the end",
      () => writeRawSafetensors(join(dir, "hlen.safetensors"), ok, f32(2), 5000n),
      "truncated",
      /hlen\.safetensors: truncated: header length 5000 bytes runs past the end/,
    ],
    [
      "absurd header length (a zip checkpoint)",
      () => (writeFileSync(join(dir, "zip.safetensors"), Buffer.from("PK\x03\x04\x14\x00\x00\x00rest")), join(dir, "zip.safetensors")),
      "bad_header",
      /zip\.safetensors: not a safetensors file.*PyTorch zip/,
    ],
    [
      "header not JSON",
      () => writeRawSafetensors(join(dir, "json.safetensors"), "{not json", f32(2)),
      "bad_header",
      /json\.safetensors: bad safetensors header: not valid JSON/,
    ],
    [
      "header not an object",
      () => writeRawSafetensors(join(dir, "arr.safetensors"), "[1, 2]"),
      "bad_header",
      /arr\.safetensors: bad safetensors header: expected a JSON object/,
    ],
    [
      "metadata not strings",
      () => writeRawSafetensors(join(dir, "meta.safetensors"), { __metadata__: { r: 16 } }),
      "bad_header",
      /__metadata__\.r must be a string/,
    ],
    [
      "unsupported dtype",
      () => writeRawSafetensors(join(dir, "f64.safetensors"), { w: { dtype: "F64", shape: [1], data_offsets: [0, 8] } }, f32(2)),
      "unsupported_dtype",
      /f64\.safetensors: tensor w: unsupported dtype F64/,
    ],
    [
      "unknown dtype",
      () => writeRawSafetensors(join(dir, "q4.safetensors"), { w: { dtype: "Q4", shape: [1], data_offsets: [0, 1] } }, f32(1)),
      "unsupported_dtype",
      /tensor w: unknown dtype Q4/,
    ],
    [
      "offsets inconsistent with shape × dtype",
      () => writeRawSafetensors(join(dir, "size.safetensors"), { w: { dtype: "F16", shape: [2, 3], data_offsets: [0, 8] } }, f32(2)),
      "bad_offsets",
      /tensor w: data_offsets \[0, 8\] span 8 bytes, but shape \[2, 3\] × F16 needs 12/,
    ],
    [
      "offsets backwards",
      () => writeRawSafetensors(join(dir, "back.safetensors"), { w: { dtype: "F32", shape: [0], data_offsets: [8, 0] } }, f32(2)),
      "bad_offsets",
      /run backwards/,
    ],
    [
      "offsets malformed",
      () => writeRawSafetensors(join(dir, "neg.safetensors"), { w: { dtype: "F32", shape: [1], data_offsets: [-4, 0] } }),
      "bad_offsets",
      /"data_offsets" must be \[begin, end\]/,
    ],
    [
      "overlapping tensors",
      () =>
        writeRawSafetensors(
          join(dir, "overlap.safetensors"),
          { a: { dtype: "F32", shape: [2], data_offsets: [0, 8] }, b: { dtype: "F32", shape: [2], data_offsets: [4, 12] } },
          f32(3),
        ),
      "overlapping_tensors",
      /tensors a \[0, 8\] and b \[4, 12\] overlap/,
    ],
    [
      "data past the end of the file",
      () => writeRawSafetensors(join(dir, "cut.safetensors"), ok, f32(1)),
      "truncated",
      /cut\.safetensors: tensor w: data ends at byte \d+, past the end of the file .*truncated/,
    ],
    [
      "missing file",
      () => join(dir, "nope.safetensors"),
      "not_found",
      /nope\.safetensors: cannot open/,
    ],
  ];
  it.each(cases)("%s", (_what, make, code, message) => {
    const e = errorOf(() => openSafetensors(make()));
    expect(e.code).toBe(code);
    expect(e.message).toMatch(message);
  });

  it("a file cut after writing is reported as truncated", () => {
    const p = join(dir, "cut-later.safetensors");
    writeSafetensors(p, [{ name: "w", dtype: "F32", shape: [4, 4], data: values(16) }]);
    truncateSync(p, readFileSync(p).length - 4);
    expect(errorOf(() => openSafetensors(p)).code).toBe("truncated");
  });

  it("tolerates integer tensors but flags them and refuses to read them as weights", () => {
    const p = writeRawSafetensors(
      join(dir, "ints.safetensors"),
      { ids: { dtype: "I64", shape: [2], data_offsets: [0, 16] } },
      new Uint8Array(16),
    );
    const f = openSafetensors(p);
    expect(f.warnings).toEqual([expect.stringContaining("ids: dtype I64 is not a weight dtype")]);
    expect(errorOf(() => f.readTensor("ids")).code).toBe("unsupported_dtype");
    expect(f.readTensorRaw("ids").length).toBe(16);
    expect(errorOf(() => f.readTensor("nope")).code).toBe("missing_tensor");
    f.close();
    expect(errorOf(() => f.readTensorRaw("ids")).code).toBe("io_error");
  });
});
