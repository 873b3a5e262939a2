// The processors against hand-computed Hugging Face results on small rows, and top-k/top-p's
// partial selection against a full-sort reference of HF's algorithm on random rows.
import { describe, expect, it } from "vitest";
import { createRng } from "../../weights/prng.js";
import { applyRepetitionPenalty, applyTemperature, applyTopK, applyTopP, maskTokens } from "./logits-processors.js";
import { argmax, kthLargest } from "./partial-select.js";

const row = (...v: number[]) => Float32Array.from(v);
const kept = (r: Float32Array) => [...r.keys()].filter((i) => r[i] !== -Infinity);
const NEG = -Infinity;

describe("repetition penalty (HF/CTRL)", () => {
  it("divides positive and multiplies negative logits of seen ids, once per id", () => {
    const r = row(2, -1, 0.5, -3, 4, 0);
    applyRepetitionPenalty(r, [0, 1, 1, 3, 1, 5], 2);
    // id 1 occurs three times but is penalised once: -1·2, not -1·8.
    expect([...r]).toEqual([1, -2, 0.5, -6, 4, 0]);
  });

  it("penalty < 1 rewards seen ids", () => {
    const r = row(2, -1, 0.5);
    applyRepetitionPenalty(r, [0, 1], 0.5);
    expect([...r]).toEqual([4, -0.5, 0.5]);
  });

  it("1 and empty history are no-ops; out-of-range ids are ignored", () => {
    const r = row(2, -1);
    applyRepetitionPenalty(r, [0, 1], 1);
    applyRepetitionPenalty(r, [], 3);
    applyRepetitionPenalty(r, [-1, 7], 3);
    expect([...r]).toEqual([2, -1]);
  });
});

describe("mask, temperature", () => {
  it("banned ids become -Infinity", () => {
    const r = row(1, 2, 3);
    maskTokens(r, [1, 9]);
    expect([...r]).toEqual([1, NEG, 3]);
  });

  it("temperature divides; 0 is refused (greedy is the sampler's job)", () => {
    const r = row(1, 2, -4);
    applyTemperature(r, 2);
    expect([...r]).toEqual([0.5, 1, -2]);
    expect(() => applyTemperature(r, 0)).toThrow(RangeError);
  });
});

describe("top-k", () => {
  it("keeps the k largest", () => {
    const r = row(1, 4, 3, 2, 0);
    applyTopK(r, 2);
    expect([...r]).toEqual([NEG, 4, 3, NEG, NEG]);
  });

  it("keeps every token tied with the k-th largest, as HF's `scores < kth` does", () => {
    const r = row(5, 3, 1, 3, 3);
    applyTopK(r, 2);
    expect(kept(r)).toEqual([0, 1, 3, 4]);
  });

  it("k = 0 or k ≥ vocab is a no-op", () => {
    const r = row(1, 2, 3);
    applyTopK(r, 0);
    applyTopK(r, 3);
    expect([...r]).toEqual([1, 2, 3]);
  });

  it("kthLargest matches a full sort", () => {
    const rng = createRng(7);
    const v = rng.fillNormal(new Float32Array(1000), 2);
    const sorted = [...v].sort((a, b) => b - a);
    for (const k of [1, 2, 20, 999, 1000]) expect(kthLargest(v, k)).toBe(sorted[k - 1]);
  });
});

describe("top-p (HF TopPLogitsWarper)", () => {
  const probs = [0.5, 0.3, 0.15, 0.05];
  const logits = () => Float32Array.from(probs, Math.log);

  it("keeps the smallest set reaching p", () => {
    for (const [p, want] of [
      [0.45, [0]],
      [0.75, [0, 1]],
      [0.81, [0, 1, 2]],
      [0.96, [0, 1, 2, 3]],
    ] as const) {
      const r = logits();
      applyTopP(r, p);
      expect(kept(r), `p=${p}`).toEqual(want);
    }
  });

  it("always keeps the most likely token, even for p = 0", () => {
    const r = logits().reverse();
    applyTopP(r, 0);
    expect(kept(r)).toEqual([3]);
  });

  it("keeps surviving logits unchanged and p = 1 is a no-op", () => {
    const r = logits();
    applyTopP(r, 0.75);
    expect(r[1]).toBe(Math.fround(Math.log(0.3)));
    const s = logits();
    applyTopP(s, 1);
    expect([...s]).toEqual([...logits()]);
  });

  it("breaks ties at the boundary by lower id", () => {
    const r = row(0, 0, 0, 0); // four tokens of 0.25: p = 0.4 needs two of them
    applyTopP(r, 0.4);
    expect(kept(r)).toEqual([0, 1]);
  });

  it("matches the reference on full 32003-token rows (bounded tail, exact tail and wider margins)", () => {
    const rng = createRng(12);
    for (const [scale, p] of [
      [8, 0.9], // peaked: the tail bound decides
      [3, 0.9], // the bound is too loose: the tail is summed exactly
      [0.5, 0.95], // flat: the nucleus reaches past the first margin
      [0.01, 0.5],
    ]) {
      const r = rng.fillNormal(new Float32Array(32003), scale);
      const want = referenceTopP(r, p);
      applyTopP(r, p);
      expect(kept(r), `scale ${scale}`).toEqual(want);
    }
  });

  it("matches a full-sort reference on random rows, peaked and flat", () => {
    const rng = createRng(11);
    for (let trial = 0; trial < 300; trial++) {
      const scale = [0.05, 0.5, 3, 20][trial % 4]; // 0.05: nearly flat, forces the margin to grow
      const r = rng.fillNormal(new Float32Array(2000), scale);
      if (trial % 3 === 0) applyTopK(r, 50);
      const p = rng.uniform();
      const want = referenceTopP(r, p);
      applyTopP(r, p);
      expect(kept(r)).toEqual(want);
    }
  });
});

it("argmax takes the lowest id among equal maxima", () => {
  expect(argmax(row(1, 5, 5, 2))).toBe(1);
  expect(argmax(row(NEG, NEG))).toBe(-1);
});

it("argmax equals a one-pass scan on rows of every length mod 4, with ties, NaN and −∞", () => {
  const scan = (r: Float32Array) => {
    let best = -1;
    for (let i = 0; i < r.length; i++) if (r[i] > (best < 0 ? -Infinity : r[best])) best = i;
    return best;
  };
  const rng = createRng(7);
  for (let trial = 0; trial < 400; trial++) {
    const n = 1 + Math.floor(rng.uniform() * 40);
    // Few distinct values so maxima tie across lanes; some NaN and −∞.
    const r = Float32Array.from({ length: n }, () => {
      const u = rng.uniform();
      return u < 0.1 ? Number.NaN : u < 0.25 ? NEG : Math.floor(u * 5);
    });
    expect(argmax(r)).toBe(scan(r));
  }
  expect(argmax(row(Number.NaN, Number.NaN, NEG, NEG, Number.NaN))).toBe(-1);
  expect(argmax(row(0, 0, 0, 3, 0, 0, 0, 3, 3))).toBe(3);
});

/** HF's algorithm literally: ascending sort, softmax, cumsum, drop cumsum ≤ 1 − p, keep the top one. */
function referenceTopP(logits: Float32Array, p: number): number[] {
  const ids = [...logits.keys()].sort((a, b) => logits[a] - logits[b] || b - a);
  const max = Math.max(...logits);
  const z = ids.reduce((s, i) => s + Math.exp(logits[i] - max), 0);
  let cum = 0;
  const keep: number[] = [];
  ids.forEach((id, j) => {
    cum += Math.exp(logits[id] - max) / z;
    if ((cum > 1 - p || j === ids.length - 1) && logits[id] !== -Infinity) keep.push(id);
  });
  return keep.sort((a, b) => a - b);
}
