// The sampler as a request sees it: greedy ties, seeded reproducibility, banned ids, and a
// sampled distribution that matches the processed probabilities (fixed seed, so deterministic).
import { describe, expect, it } from "vitest";
import { createRng, mulberry32 } from "../../weights/prng.js";
import {
  applyRepetitionPenalty,
  applyTemperature,
  applyTopK,
  applyTopP,
  keepAllowed,
  maskTokens,
} from "./logits-processors.js";
import { argmax } from "./partial-select.js";
import { createSampler, draw, foldSeed, type SamplerParams, sampleTopK } from "./sampler.js";

const VOCAB = 32003;
const BANNED = [32001, 32002];
const base: SamplerParams = { temperature: 1, top_k: 0, top_p: 1, repetition_penalty: 1, banned: [] };

function randomLogits(seed: number, scale = 3): Float32Array {
  return createRng(seed).fillNormal(new Float32Array(VOCAB), scale);
}

describe("greedy", () => {
  it("temperature 0 takes the argmax, lowest id among ties", () => {
    const s = createSampler({ ...base, temperature: 0 });
    expect(s.greedy).toBe(true);
    expect(s.next(Float32Array.of(1, 5, 5, 2), [])).toBe(1);
  });

  it("do_sample false is greedy whatever the temperature", () => {
    const s = createSampler({ ...base, temperature: 1.5, do_sample: false });
    for (let i = 0; i < 20; i++) expect(s.next(Float32Array.of(0.1, 0.3, 0.2), [])).toBe(1);
  });

  it("applies the repetition penalty and the banned mask", () => {
    const s = createSampler({ ...base, temperature: 0, repetition_penalty: 1.2, banned: [2] });
    // 5/1.2 ≈ 4.17 < 4.9: the seen id 0 loses; id 2 would win but is banned.
    expect(s.next(Float32Array.of(5, 4.9, 9), [0, 0])).toBe(1);
  });

  it("plain greedy skips a banned argmax for the best allowed id", () => {
    const s = createSampler({ ...base, temperature: 0, banned: [2] });
    expect(s.next(Float32Array.of(5, 4.9, 9), [])).toBe(0);
    expect(s.next(Float32Array.of(5, 4.9, 1), [])).toBe(0);
  });

  it("refuses a row with nothing left to choose", () => {
    const s = createSampler({ ...base, temperature: 0, banned: [0, 1] });
    expect(() => s.next(Float32Array.of(1, 2), [])).toThrow(/no token/);
  });
});

describe("seeded sampling", () => {
  const params: SamplerParams = {
    temperature: 0.8,
    top_k: 40,
    top_p: 0.95,
    repetition_penalty: 1.1,
    banned: BANNED,
  };
  const run = (seed: number) => {
    const s = createSampler({ ...params, seed });
    const history = [1, 450, 3681];
    for (let step = 0; step < 200; step++) history.push(s.next(randomLogits(step, 1), history));
    return history.slice(3);
  };

  it("same seed and logits → the same 200 tokens; another seed → different ones", () => {
    const a = run(1234);
    expect(run(1234)).toEqual(a);
    expect(run(1235)).not.toEqual(a);
  });

  it("never returns a banned id, even when it has the largest logit", () => {
    const s = createSampler({ ...params, seed: 5 });
    const logits = randomLogits(3);
    logits[32001] = 100;
    logits[32002] = 99;
    for (let i = 0; i < 500; i++) expect(BANNED).not.toContain(s.next(logits, []));
  });

  it("does not modify the engine's logits", () => {
    const logits = randomLogits(4);
    const copy = logits.slice();
    createSampler({ ...params, seed: 1 }).next(logits, [1, 2, 3]);
    expect(logits).toEqual(copy);
  });

  it("without a seed, each sampler draws its own from crypto", () => {
    expect(createSampler(base).seed).not.toBe(createSampler(base).seed);
  });

  it("folds seeds above 2^32 without dropping their high bits", () => {
    expect(foldSeed(7)).toBe(7);
    expect(foldSeed(7 + 2 ** 32)).not.toBe(7);
    expect(() => foldSeed(-1)).toThrow(RangeError);
  });
});

it("the fused top-k path picks what the composed processors + draw pick", () => {
  const rng = createRng(21);
  const u = mulberry32(8);
  for (let trial = 0; trial < 200; trial++) {
    // Coarse values give boundary ties, as fp16 logits do.
    const row = Float32Array.from({ length: 3000 }, () => Math.round(rng.normal() * 8) / 4);
    const [temperature, k, p] = [
      [1, 20, 0.9],
      [0.7, 5, 1],
      [1.3, 50, 0.5],
      [0.5, 1, 0.9],
    ][trial % 4];
    const x = u();
    const composed = row.slice();
    applyTemperature(composed, temperature);
    applyTopK(composed, k);
    applyTopP(composed, p);
    expect(sampleTopK(row, k, temperature, p, x)).toBe(draw(composed, x));
  }
});

it("with top_k off, the sampler picks what temperature + top-p processors + draw pick", () => {
  const rng = createRng(22);
  for (const [temperature, p] of [
    [1, 0.9],
    [0.7, 0.5],
    [1.5, 0.99],
    [0.9, 1],
  ]) {
    const sampler = createSampler({ ...base, temperature, top_p: p, seed: 77 });
    const u = mulberry32(77); // foldSeed is the identity below 2^32
    for (let trial = 0; trial < 40; trial++) {
      const row = Float32Array.from({ length: 3000 }, () => Math.round(rng.normal() * 8) / 4);
      const composed = row.slice();
      applyTemperature(composed, temperature);
      applyTopP(composed, p);
      expect(sampler.next(row, [])).toBe(draw(composed, u()));
    }
  }
});

describe("sampled distribution", () => {
  const probs = [0.4, 0.25, 0.15, 0.1, 0.06, 0.04];
  const logits = Float32Array.from(probs, Math.log);
  const N = 20_000;
  const histogram = (p: Partial<SamplerParams>) => {
    const s = createSampler({ ...base, seed: 42, ...p });
    const counts = new Array(probs.length).fill(0);
    for (let i = 0; i < N; i++) counts[s.next(logits, [])]++;
    return counts;
  };
  const chiSquare = (counts: number[], expected: number[]) =>
    counts.reduce(
      (x, c, i) => x + (expected[i] === 0 ? (c === 0 ? 0 : Infinity) : (c - expected[i]) ** 2 / expected[i]),
      0,
    );
  const normalise = (w: number[]) => w.map((x) => x / w.reduce((a, b) => a + b, 0));

  // Critical values at p = 0.001: 5 df → 20.5, 1 df → 10.8.
  it("temperature 1 follows softmax(logits)", () => {
    expect(
      chiSquare(
        histogram({}),
        probs.map((p) => p * N),
      ),
    ).toBeLessThan(20.5);
  });

  it("temperature 0.5 follows p² renormalised", () => {
    const want = normalise(probs.map((p) => p ** 2));
    expect(
      chiSquare(
        histogram({ temperature: 0.5 }),
        want.map((p) => p * N),
      ),
    ).toBeLessThan(20.5);
  });

  it("top_k 2 keeps only the two most likely, in proportion", () => {
    const want = normalise([0.4, 0.25, 0, 0, 0, 0]);
    expect(
      chiSquare(
        histogram({ top_k: 2 }),
        want.map((p) => p * N),
      ),
    ).toBeLessThan(10.8);
  });

  it("top_p 0.7 samples only the nucleus {0, 1, 2}", () => {
    const want = normalise([0.4, 0.25, 0.15, 0, 0, 0]);
    expect(
      chiSquare(
        histogram({ top_p: 0.7 }),
        want.map((p) => p * N),
      ),
    ).toBeLessThan(13.9); // 2 df
  });
});

it("logProbs is a stable log-softmax", () => {
  const lp = createSampler(base).logProbs(Float32Array.of(1000, 1000, -Infinity));
  expect(lp[0]).toBeCloseTo(Math.log(0.5), 6);
  expect(lp[2]).toBe(-Infinity);
});

it("at full vocabulary, on Gaussian and Zipf rows, every draw is in the processed nucleus and never banned", () => {
  const rows = Array.from({ length: 8 }, (_, i) => randomLogits(100 + i));
  // LLM-like rows: Zipfian probabilities (p_r ∝ r^−1.1) over a random permutation of the vocab,
  // with a banned id on top so the mask matters.
  const zipf = rows.map((r) => {
    const rank = Array.from(r.keys()).sort((a, b) => r[a] - r[b] || a - b);
    const out = new Float32Array(VOCAB);
    rank.forEach((id, j) => {
      out[id] = 20 - 1.1 * Math.log(VOCAB - j);
    });
    out[BANNED[0]] = 100;
    return out;
  });
  const history = Array.from({ length: 600 }, (_, i) => (i * 7919) % 32000);
  const full = { temperature: 0.7, top_k: 20, top_p: 0.9, repetition_penalty: 1.1 };
  const s = createSampler({ ...base, seed: 9, banned: BANNED, ...full });
  for (const row of [...rows, ...zipf]) {
    // The allowed set by the reference processors, applied one by one.
    const ref = Float32Array.from(row);
    applyRepetitionPenalty(ref, history, full.repetition_penalty);
    maskTokens(ref, BANNED);
    applyTemperature(ref, full.temperature);
    applyTopK(ref, full.top_k);
    applyTopP(ref, full.top_p);
    const allowed = new Set(Array.from(ref.keys()).filter((id) => ref[id] > Number.NEGATIVE_INFINITY));
    expect(allowed.size).toBeGreaterThan(1);
    expect(allowed.size).toBeLessThanOrEqual(full.top_k);
    for (let i = 0; i < 50; i++) {
      const id = s.next(row, history);
      expect(allowed.has(id)).toBe(true);
    }
  }
});

describe("allowed-token mask (constrained decoding)", () => {
  /** A bitmask over VOCAB with exactly `ids` set. */
  function mask(ids: number[]): Int32Array {
    const m = new Int32Array(Math.ceil(VOCAB / 32));
    for (const id of ids) m[id >>> 5] |= 1 << (id & 31);
    return m;
  }

  it("keepAllowed removes exactly the ids whose bit is clear, across whole and partial words", () => {
    const ids = [0, 31, 32, 63, 64, 1000, 32002];
    const row = randomLogits(3);
    keepAllowed(row, mask(ids));
    expect([...row.keys()].filter((i) => row[i] !== -Infinity)).toEqual(ids);
  });

  it("every sampler path picks only allowed ids, greedy included when the argmax is not allowed", () => {
    const allowed = [5, 700, 31000];
    const m = mask(allowed);
    const settings: Partial<SamplerParams>[] = [
      { temperature: 0 },
      { temperature: 0, repetition_penalty: 1.3 },
      { temperature: 2 },
      { temperature: 0.7, top_p: 0.3 },
      { temperature: 1.5, top_k: 40 },
      { temperature: 1, top_k: 2, top_p: 0.5 },
    ];
    for (const [i, p] of settings.entries()) {
      const s = createSampler({ ...base, ...p, seed: i, banned: BANNED });
      for (let k = 0; k < 30; k++) {
        const logits = randomLogits(100 * i + k);
        expect(allowed).not.toContain(argmax(logits)); // so the greedy fast path must not return it
        expect(allowed).toContain(s.next(logits, [1, 2, 5], m));
      }
    }
  });
});
