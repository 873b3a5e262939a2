import { describe, expect, it } from "vitest";
import {
  bf16BitsToF32,
  bf16ToF32,
  f16BitsToF32,
  f16ToF32,
  f32ToBf16,
  f32ToBf16Bits,
  f32ToF16,
  f32ToF16Bits,
} from "./dtype.js";

describe("f32 → f16 (round to nearest even)", () => {
  it.each([
    [1, 0x3c00],
    [-2, 0xc000],
    [0, 0x0000],
    [-0, 0x8000],
    [65504, 0x7bff], // largest finite
    [65519, 0x7bff], // just below the rounding boundary
    [65520, 0x7c00], // tie between 65504 and 65536 → even → inf
    [1e6, 0x7c00],
    [Number.NEGATIVE_INFINITY, 0xfc00],
    [2 ** -14, 0x0400], // smallest normal
    [2 ** -24, 0x0001], // smallest subnormal
    [2 ** -25, 0x0000], // tie with 0 → even (0)
    [3 * 2 ** -26, 0x0001], // above the tie → 1
    [3 * 2 ** -25, 0x0002], // tie between 1 and 2 subnormal steps → even (2)
    [1 + 2 ** -11, 0x3c00], // tie → even mantissa
    [1 + 3 * 2 ** -11, 0x3c02], // tie → even mantissa (up)
    [1 + 2 ** -11 + 2 ** -20, 0x3c01], // above the tie
  ])("%f → 0x%s", (x, bits) => {
    expect(f32ToF16Bits(x)).toBe(bits);
  });

  it("keeps NaN a NaN", () => {
    expect(Number.isNaN(f16BitsToF32(f32ToF16Bits(Number.NaN)))).toBe(true);
  });

  it("round-trips every finite f16 exactly", () => {
    const wrong: number[] = [];
    for (let h = 0; h < 65536; h++) {
      if ((h & 0x7c00) === 0x7c00 && h & 0x3ff) continue; // NaNs
      if (f32ToF16Bits(f16BitsToF32(h)) !== h) wrong.push(h);
    }
    expect(wrong).toEqual([]);
  });

  it("converts arrays like the scalar path", () => {
    const src = Float32Array.from([0.1, -3.5, 1e-7, 70000, 2 ** -24]);
    const h = f32ToF16(src);
    expect([...h]).toEqual([...src].map(f32ToF16Bits));
    expect(f16ToF32(h)[1]).toBe(-3.5);
  });
});

describe("f32 → bf16 (round to nearest even)", () => {
  it.each([
    [1, 0x3f80],
    [-2, 0xc000],
    [1 + 2 ** -8, 0x3f80], // tie → even
    [1 + 3 * 2 ** -8, 0x3f82], // tie → even (up)
    [1 + 2 ** -8 + 2 ** -20, 0x3f81],
    [3.4028234663852886e38, 0x7f80], // f32 max rounds up to inf
  ])("%f → 0x%s", (x, bits) => {
    expect(f32ToBf16Bits(x)).toBe(bits);
  });

  it("keeps NaN a NaN and round-trips every finite bf16", () => {
    expect(Number.isNaN(bf16BitsToF32(f32ToBf16Bits(Number.NaN)))).toBe(true);
    const wrong: number[] = [];
    for (let h = 0; h < 65536; h++) {
      if ((h & 0x7f80) === 0x7f80 && h & 0x7f) continue;
      if (f32ToBf16Bits(bf16BitsToF32(h)) !== h) wrong.push(h);
    }
    expect(wrong).toEqual([]);
  });

  it("converts arrays like the scalar path", () => {
    const src = Float32Array.from([0.1, -3.5, 1e-30, 1e30]);
    const h = f32ToBf16(src);
    expect([...h]).toEqual([...src].map(f32ToBf16Bits));
    expect(bf16ToF32(h)[1]).toBe(-3.5);
  });
});
