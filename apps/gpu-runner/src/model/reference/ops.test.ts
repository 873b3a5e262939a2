import { describe, expect, it } from "vitest";
import { gelu, quickGelu, silu, softmaxInPlace } from "./activations.js";
import { attention } from "./attention.js";
import { linear, sliceCols } from "./linalg.js";
import { layerNorm, rmsNorm } from "./norms.js";
import { randomArray } from "./test-support.js";

const f = (...v: number[]) => Float64Array.from(v);

describe("linear", () => {
  it("computes x·Wᵀ + b with W stored [out, in]", () => {
    // x = [[1, 2]], W = [[1, 0], [0, 1], [1, 1]], b = [0.5, 0, -1]
    const y = linear(f(1, 2), 1, f(1, 0, 0, 1, 1, 1), 3, 2, f(0.5, 0, -1));
    expect([...y]).toEqual([1.5, 2, 2]);
  });

  it("sliceCols splits a fused projection's output features", () => {
    expect([...sliceCols(f(1, 2, 3, 4, 5, 6), 2, 3, 1, 3)]).toEqual([2, 3, 5, 6]);
  });
});

describe("norms", () => {
  it("layerNorm uses the biased variance, then scale and shift", () => {
    const y = layerNorm(f(1, 3), 2, f(2, 1), f(0, 10), 0);
    expect(y[0]).toBeCloseTo(-2, 14);
    expect(y[1]).toBeCloseTo(11, 14);
  });

  it("rmsNorm divides by the root mean square without centring", () => {
    const y = rmsNorm(f(3, 4), 2, f(1, 2), 0);
    const rms = Math.sqrt(12.5);
    expect(y[0]).toBeCloseTo(3 / rms, 15);
    expect(y[1]).toBeCloseTo(8 / rms, 15);
  });
});

describe("activations", () => {
  it("GELU is the exact erf form (mpmath values)", () => {
    const cases: [number, number][] = [
      [1, 0.8413447460685429],
      [-1, -0.15865525393145705],
      [0.5, 0.34573123063700656],
      [3, 2.99595030590511],
    ];
    for (const [x, want] of cases) expect(Math.abs(gelu(x) - want)).toBeLessThan(1e-15);
    // The left tail keeps relative precision (erfc, not 1 + erf).
    expect(Math.abs(gelu(-5) / -1.4332578593959695e-6 - 1)).toBeLessThan(1e-12);
    expect(Math.abs(gelu(-10) / -7.619853024160526e-23 - 1)).toBeLessThan(1e-12);
  });

  it("QuickGELU is x·σ(1.702x) and SiLU is x·σ(x)", () => {
    expect(quickGelu(1)).toBeCloseTo(1 / (1 + Math.exp(-1.702)), 15);
    expect(silu(2)).toBeCloseTo(2 / (1 + Math.exp(-2)), 15);
    expect(quickGelu(0)).toBe(0);
  });

  it("softmax sums to one and does not overflow on large logits", () => {
    const x = f(1000, 1001, 1002);
    softmaxInPlace(x);
    expect(x[0] + x[1] + x[2]).toBeCloseTo(1, 15);
    expect(x[2] / x[1]).toBeCloseTo(Math.E, 12);
  });
});

describe("attention", () => {
  const heads = 4;
  const dimHead = 3;
  const shape = { nq: 2, nk: 5, heads, dimHead, scale: 0.5 };

  it("a single allowed key returns its value; no allowed key returns zeros", () => {
    const q = randomArray(2 * heads * dimHead, 1);
    const k = randomArray(5 * heads * dimHead, 2);
    const v = randomArray(5 * heads * dimHead, 3);
    const out = attention(q, k, v, { ...shape, kvHeads: heads, allowed: (i, j) => i === 0 && j === 3 });
    expect([...out.subarray(0, heads * dimHead)]).toEqual([...v.subarray(3 * heads * dimHead, 4 * heads * dimHead)]);
    expect([...out.subarray(heads * dimHead)]).toEqual(new Array(heads * dimHead).fill(0));
  });

  it("GQA: query head h reads kv head floor(h / (heads / kvHeads)), like repeat_kv", () => {
    const kvHeads = 2;
    const q = randomArray(2 * heads * dimHead, 4);
    const k = randomArray(5 * kvHeads * dimHead, 5);
    const v = randomArray(5 * kvHeads * dimHead, 6);
    // Expand k/v to one head per query head: heads 0,1 ← kv head 0; heads 2,3 ← kv head 1.
    const expand = (x: Float64Array) => {
      const y = new Float64Array(5 * heads * dimHead);
      for (let j = 0; j < 5; j++) {
        for (let h = 0; h < heads; h++) {
          const src = x.subarray(
            (j * kvHeads + Math.floor(h / 2)) * dimHead,
            (j * kvHeads + Math.floor(h / 2) + 1) * dimHead,
          );
          y.set(src, (j * heads + h) * dimHead);
        }
      }
      return y;
    };
    const grouped = attention(q, k, v, { ...shape, kvHeads });
    const full = attention(q, expand(k), expand(v), { ...shape, kvHeads: heads });
    for (let i = 0; i < full.length; i++) expect(grouped[i]).toBeCloseTo(full[i], 14);
  });
});
