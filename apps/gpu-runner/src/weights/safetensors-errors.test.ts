import { readFileSync, truncateSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openSafetensors, writeSafetensors } from "./safetensors.js";
import { tempDir, weightsErrorOf, writeBytes, writeRawSafetensors } from "./test-util.js";

const dir = tempDir();
const values = (n: number) => Float32Array.from({ length: n }, (_, i) => i * 0.5);

describe("safetensors: each kind of bad file has its own clear error", () => {
  const f32 = (n: number) => new Uint8Array(n * 4);
  const ok = { w: { dtype: "F32", shape: [2], data_offsets: [0, 8] } };
  const cases: Array<[string, () => string, string, RegExp]> = [
    [
      "shorter than 8 bytes",
      () => writeBytes(join(dir, "short.safetensors"), new Uint8Array([1, 2, 3])),
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
      () => writeBytes(join(dir, "zip.safetensors"), "PK\x03\x04\x14\x00\x00\x00rest"),
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
      () =>
        writeRawSafetensors(
          join(dir, "f64.safetensors"),
          { w: { dtype: "F64", shape: [1], data_offsets: [0, 8] } },
          f32(2),
        ),
      "unsupported_dtype",
      /f64\.safetensors: tensor w: unsupported dtype F64/,
    ],
    [
      "unknown dtype",
      () =>
        writeRawSafetensors(
          join(dir, "q4.safetensors"),
          { w: { dtype: "Q4", shape: [1], data_offsets: [0, 1] } },
          f32(1),
        ),
      "unsupported_dtype",
      /tensor w: unknown dtype Q4/,
    ],
    [
      "offsets inconsistent with shape × dtype",
      () =>
        writeRawSafetensors(
          join(dir, "size.safetensors"),
          { w: { dtype: "F16", shape: [2, 3], data_offsets: [0, 8] } },
          f32(2),
        ),
      "bad_offsets",
      /tensor w: data_offsets \[0, 8\] span 8 bytes, but shape \[2, 3\] × F16 needs 12/,
    ],
    [
      "offsets backwards",
      () =>
        writeRawSafetensors(
          join(dir, "back.safetensors"),
          { w: { dtype: "F32", shape: [0], data_offsets: [8, 0] } },
          f32(2),
        ),
      "bad_offsets",
      /run backwards/,
    ],
    [
      "offsets malformed",
      () =>
        writeRawSafetensors(join(dir, "neg.safetensors"), { w: { dtype: "F32", shape: [1], data_offsets: [-4, 0] } }),
      "bad_offsets",
      /"data_offsets" must be \[begin, end\]/,
    ],
    [
      "overlapping tensors",
      () =>
        writeRawSafetensors(
          join(dir, "overlap.safetensors"),
          {
            a: { dtype: "F32", shape: [2], data_offsets: [0, 8] },
            b: { dtype: "F32", shape: [2], data_offsets: [4, 12] },
          },
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
    ["missing file", () => join(dir, "nope.safetensors"), "not_found", /nope\.safetensors: cannot open/],
    ["a directory, not a file", () => dir, "io_error", /cannot read \(EISDIR/],
  ];
  it.each(cases)("%s", (_what, make, code, message) => {
    const e = weightsErrorOf(() => openSafetensors(make()));
    expect(e.code).toBe(code);
    expect(e.message).toMatch(message);
  });

  it("a file cut after writing is reported as truncated", () => {
    const p = join(dir, "cut-later.safetensors");
    writeSafetensors(p, [{ name: "w", dtype: "F32", shape: [4, 4], data: values(16) }]);
    truncateSync(p, readFileSync(p).length - 4);
    expect(weightsErrorOf(() => openSafetensors(p)).code).toBe("truncated");
  });

  it("tolerates integer tensors but flags them and refuses to read them as weights", () => {
    const p = writeRawSafetensors(
      join(dir, "ints.safetensors"),
      { ids: { dtype: "I64", shape: [2], data_offsets: [0, 16] } },
      new Uint8Array(16),
    );
    const f = openSafetensors(p);
    expect(f.warnings).toEqual([expect.stringContaining("ids: dtype I64 is not a weight dtype")]);
    expect(weightsErrorOf(() => f.readTensor("ids")).code).toBe("unsupported_dtype");
    expect(f.readTensorRaw("ids").length).toBe(16);
    expect(weightsErrorOf(() => f.readTensor("nope")).code).toBe("missing_tensor");
    f.close();
    expect(weightsErrorOf(() => f.readTensorRaw("ids")).code).toBe("io_error");
  });
});
