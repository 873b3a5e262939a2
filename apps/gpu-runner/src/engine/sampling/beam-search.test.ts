// Beam search on toy "models" (prefix → distribution over a 5-token vocab) whose best sequences
// can be checked by hand; scores follow HF BeamSearchScorer (length counts the EOS).
import { describe, expect, it } from "vitest";
import { hashString, mulberry32 } from "../../weights/prng.js";
import { BeamSearch, type BeamSearchOptions, type BeamStep } from "./beam-search.js";
import { createSampler } from "./sampler.js";

const EPS = 1e-6; // "impossible" tokens: finite, so every beam always has continuations
type Table = Record<string, Record<number, number>>;

/** A model: the generated prefix (joined by ",") → probabilities; unlisted prefixes emit EOS 0. */
const toy =
  (table: Table) =>
  (prefix: number[]): Float32Array => {
    const probs = table[prefix.join(",")] ?? { 0: 1 };
    return Float32Array.from({ length: 5 }, (_, t) => Math.log(probs[t] ?? EPS));
  };

/** Drives a search as the engine will: run each live beam, rebuild beams from `parent`. */
function run(model: (prefix: number[]) => Float32Array, options: BeamSearchOptions) {
  const search = new BeamSearch(options);
  search.start();
  let beams: number[][] = [[]];
  const steps: BeamStep[] = [];
  for (;;) {
    const step = search.step(beams.map(model));
    steps.push(step);
    beams = step.beams.map((b) => [...beams[b.parent], b.token]);
    if (step.done) break;
  }
  return { result: search.finish(), steps };
}

function greedy(model: (prefix: number[]) => Float32Array, eos: number[], max = 10): number[] {
  const sampler = createSampler({ temperature: 0, top_k: 0, top_p: 1, repetition_penalty: 1, banned: [] });
  const out: number[] = [];
  while (out.length < max) {
    const t = sampler.next(model(out), out);
    if (eos.includes(t)) break;
    out.push(t);
  }
  return out;
}

// Greedy takes 1 (0.5) and then a 0.25 token: p = 0.125. Beam search finds 2 → 3: p = 0.36.
const GARDEN = toy({
  "": { 1: 0.5, 2: 0.4, 3: 0.1 },
  "1": { 1: 0.25, 2: 0.25, 3: 0.25, 4: 0.25 },
  "2": { 3: 0.9, 4: 0.1 },
});

describe("beam search", () => {
  it("finds the best sequence where greedy does not", () => {
    expect(greedy(GARDEN, [0])).toEqual([1, 1]);
    const { result, steps } = run(GARDEN, { numBeams: 2, maxNewTokens: 10, eosIds: [0] });
    // length 3 = two tokens + EOS; the EOS log-prob is ≈ 0.
    expect(result.tokens).toEqual([2, 3]);
    expect(result.score).toBeCloseTo(Math.log(0.4 * 0.9) / 3, 4);
    expect(result.finish_reason).toBe("stop");
    // Parent indices as the engine sees them: step 1 branches the prompt, step 2 extends
    // beam 1 ([2]) with 3 and beam 0 ([1]) with its lowest-id best, 1.
    expect(steps[0].beams).toEqual([
      { parent: 0, token: 1 },
      { parent: 0, token: 2 },
    ]);
    expect(steps[1].beams).toEqual([
      { parent: 1, token: 3 },
      { parent: 0, token: 1 },
    ]);
    // Step 3 finishes both hypotheses; step 4 shows no live beam can beat them (HF heuristic).
    expect(steps.length).toBe(4);
  });

  it("earlyStopping stops as soon as numBeams hypotheses exist", () => {
    const { result, steps } = run(GARDEN, { numBeams: 2, maxNewTokens: 10, eosIds: [0], earlyStopping: true });
    expect(steps.length).toBe(3);
    expect(result.tokens).toEqual([2, 3]);
  });

  it("numBeams 1 is greedy", () => {
    expect(run(GARDEN, { numBeams: 1, maxNewTokens: 10, eosIds: [0] }).result.tokens).toEqual([1, 1]);
  });

  it("banned tokens never appear", () => {
    const { result, steps } = run(GARDEN, { numBeams: 2, maxNewTokens: 10, eosIds: [0], banned: [3] });
    expect(result.tokens).not.toContain(3);
    for (const s of steps) for (const b of s.beams) expect(b.token).not.toBe(3);
  });
});

// Short [3]+EOS(4) has log-prob ln 0.6 over 2 tokens; long [1, 2, 2]+EOS(0) has ln(0.4·0.99³)
// over 4 tokens: lengthPenalty 0 (raw sums) prefers the short one, 1 (per-token mean) the long one.
const FORK = toy({
  "": { 3: 0.6, 1: 0.4 },
  "3": { 4: 1 },
  "1": { 2: 0.99, 0: 0.01 },
  "1,2": { 2: 0.99, 0: 0.01 },
  "1,2,2": { 0: 0.99, 2: 0.01 },
});

describe("length penalty and EOS", () => {
  it("lengthPenalty 0 ranks by total log-prob", () => {
    const { result } = run(FORK, { numBeams: 2, maxNewTokens: 10, eosIds: [0, 4], lengthPenalty: 0 });
    expect(result).toEqual({ tokens: [3], score: expect.closeTo(Math.log(0.6), 4), finish_reason: "stop" });
  });

  it("lengthPenalty 1 ranks by log-prob per token (EOS counted)", () => {
    const { result } = run(FORK, { numBeams: 2, maxNewTokens: 10, eosIds: [0, 4], lengthPenalty: 1 });
    expect(result.tokens).toEqual([1, 2, 2]);
    expect(result.score).toBeCloseTo(Math.log(0.4 * 0.99 ** 3) / 4, 4);
  });

  it("every EOS id ends a hypothesis and none is ever a live beam or in the reply", () => {
    const { result, steps } = run(FORK, { numBeams: 2, maxNewTokens: 10, eosIds: [0, 4], lengthPenalty: 0 });
    for (const s of steps) for (const b of s.beams) expect([0, 4]).not.toContain(b.token);
    expect(result.tokens).not.toContain(4);
  });
});

describe("maxNewTokens", () => {
  // Never ends: 1 is always the most likely token.
  const ENDLESS = (_prefix: number[]) => Float32Array.from([EPS, 0.6, 0.3, 0.1, EPS], Math.log);

  it("stops after exactly maxNewTokens steps with finish_reason length", () => {
    const { result, steps } = run(ENDLESS, { numBeams: 3, maxNewTokens: 4, eosIds: [0] });
    expect(steps.length).toBe(4);
    expect(steps.at(-1)?.done).toBe(true);
    expect(result.tokens).toEqual([1, 1, 1, 1]);
    expect(result.finish_reason).toBe("length");
    expect(result.score).toBeCloseTo(Math.log(0.6), 4); // 4·ln 0.6 / 4
  });

  it("maxNewTokens 1 is one step", () => {
    const { result, steps } = run(ENDLESS, { numBeams: 2, maxNewTokens: 1, eosIds: [0] });
    expect(steps.length).toBe(1);
    expect(result.tokens).toEqual([1]);
  });

  it("refuses misuse", () => {
    const search = new BeamSearch({ numBeams: 2, maxNewTokens: 1, eosIds: [0] });
    expect(() => search.step([ENDLESS([])])).toThrow(/before start/);
    search.start();
    expect(() => search.finish()).toThrow(/before any step/);
    expect(() => search.step([ENDLESS([]), ENDLESS([])])).toThrow(/expected logits for 1/);
    search.step([ENDLESS([])]);
    expect(() => search.step([ENDLESS([]), ENDLESS([])])).toThrow(/after done/);
    expect(() => new BeamSearch({ numBeams: 0, maxNewTokens: 1, eosIds: [] })).toThrow(RangeError);
  });
});

describe("repetition penalty per beam", () => {
  // After either first token, 1 is likely (0.9). Penalising 1 in the beam that already holds it,
  // and only there, turns the winner from [1, 1] into [2, 1].
  const REPEAT = toy({
    "": { 1: 0.5, 2: 0.45 },
    "1": { 1: 0.9, 3: 0.1 },
    "2": { 1: 0.9, 3: 0.1 },
  });
  const options = { numBeams: 2, maxNewTokens: 10, eosIds: [0] };

  it("without a penalty the most likely sequence wins", () => {
    expect(run(REPEAT, options).result.tokens).toEqual([1, 1]);
  });

  it("history is the prompt plus that beam's own tokens", () => {
    expect(run(REPEAT, { ...options, repetitionPenalty: 10 }).result.tokens).toEqual([2, 1]);
    // With 1 in the prompt every beam is penalised for it: the first step already prefers 2.
    const withPrompt = run(REPEAT, { ...options, repetitionPenalty: 10, prompt: [1] }).result.tokens;
    expect(withPrompt[0]).toBe(2);
  });
});

describe("wide enough, beam search is exhaustive search", () => {
  // 256 beams hold every prefix of ≤ 4 tokens over 4 ids, every EOS ranks within the top 256
  // and fewer than 256 hypotheses ever finish, so nothing is pruned: the result must be the best
  // of all sequences under the scoring rule (EOS-ended: (sum incl. EOS) / (len + 1)^lp; cut at
  // maxNewTokens: sum / max^lp).
  const MAX = 4;
  const randomModel = (seed: number) => (prefix: number[]) => {
    const rand = mulberry32(hashString(`${seed}:${prefix.join(",")}`));
    return Float32Array.from({ length: 4 }, () => rand() * 4);
  };

  function exhaustive(model: (prefix: number[]) => Float32Array, lp: number) {
    let best = { tokens: [] as number[], score: -Infinity };
    const visit = (prefix: number[], sum: number) => {
      const logits = model(prefix);
      const z = Math.log(logits.reduce((a, v) => a + Math.exp(v), 0));
      const endScore = (sum + logits[0] - z) / (prefix.length + 1) ** lp;
      if (endScore > best.score) best = { tokens: prefix, score: endScore };
      for (let t = 1; t < 4; t++) {
        const next = [...prefix, t];
        const s = sum + logits[t] - z;
        if (next.length === MAX) {
          if (s / MAX ** lp > best.score) best = { tokens: next, score: s / MAX ** lp };
        } else visit(next, s);
      }
    };
    visit([], 0);
    return best;
  }

  it("finds the best-scoring sequence for any length penalty", () => {
    for (let seed = 0; seed < 40; seed++) {
      const model = randomModel(seed);
      const lp = [0, 1, 2, -0.5][seed % 4];
      const { result } = run(model, { numBeams: 256, maxNewTokens: MAX, eosIds: [0], lengthPenalty: lp });
      const want = exhaustive(model, lp);
      expect(result.tokens, `seed ${seed}`).toEqual(want.tokens);
      expect(result.score).toBeCloseTo(want.score, 5);
    }
  });
});
