import { describe, expect, it } from "vitest";
import { loraScale, mergeLora, mergeLoraInPlace } from "./lora.js";
import { createRng } from "./prng.js";

/** The definition, written as plainly as possible. */
function naive(w: Float32Array, a: Float32Array, b: Float32Array, out: number, inn: number, r: number, s: number) {
  const res = new Float64Array(out * inn);
  for (let o = 0; o < out; o++)
    for (let j = 0; j < inn; j++) {
      let d = 0;
      for (let k = 0; k < r; k++) d += b[o * r + k] * a[k * inn + j];
      res[o * inn + j] = w[o * inn + j] + s * d;
    }
  return res;
}

describe("mergeLora", () => {
  const rng = createRng(7);
  const [out, inn, r] = [48, 40, 4];
  const w = rng.fillNormal(new Float32Array(out * inn), 0.2);
  const a = rng.fillNormal(new Float32Array(r * inn), 0.2);
  const b = rng.fillNormal(new Float32Array(out * r), 0.2);

  it("equals W + scale·B·A from a naive triple loop", () => {
    for (const scale of [1, 2, 0.25]) {
      const got = mergeLora(w, a, b, out, inn, r, scale);
      const want = naive(w, a, b, out, inn, r, scale);
      let maxErr = 0;
      for (let i = 0; i < got.length; i++) maxErr = Math.max(maxErr, Math.abs(got[i] - want[i]));
      expect(maxErr).toBeLessThan(1e-6);
    }
  });

  it("respects the scale: the delta is linear in it, and scale 0 is a no-op", () => {
    const d1 = mergeLora(w, a, b, out, inn, r, 1).map((x, i) => x - w[i]);
    const d2 = mergeLora(w, a, b, out, inn, r, 2).map((x, i) => x - w[i]);
    for (let i = 0; i < d1.length; i += 97) expect(d2[i]).toBeCloseTo(2 * d1[i], 5);
    expect(mergeLora(w, a, b, out, inn, r, 0)).toEqual(w);
  });

  it("leaves the base untouched unless merging in place", () => {
    const copy = Float32Array.from(w);
    const merged = mergeLora(w, a, b, out, inn, r, 1);
    expect(w).toEqual(copy);
    expect(mergeLoraInPlace(copy, a, b, out, inn, r, 1)).toBe(copy);
    expect(copy).toEqual(merged);
  });

  it("refuses mismatched sizes", () => {
    expect(() => mergeLora(w, a, b, out, inn, r + 1, 1)).toThrow(/A \[5, 40\] has 160 values, expected 200/);
  });

  it("uses peft's alpha / r", () => {
    expect(loraScale(16, 16)).toBe(1);
    expect(loraScale(8, 4)).toBe(2);
    expect(() => loraScale(8, 0)).toThrow(/r > 0/);
  });
});
