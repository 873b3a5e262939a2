// OpenAI's logit_bias, presence/frequency penalties and logprobs through the sampler, each
// checked against the formula computed directly on the logits.
import { describe, expect, it } from "vitest";
import { createRng } from "../../weights/prng.js";
import { logSoftmax } from "./log-softmax.js";
import { createSampler, type SamplerParams } from "./sampler.js";

const VOCAB = 2000;
const base: SamplerParams = { temperature: 0, top_k: 0, top_p: 1, repetition_penalty: 1, banned: [] };
const logits = (seed: number) => createRng(seed).fillNormal(new Float32Array(VOCAB), 3);

/** OpenAI's definition: mu[j] − c[j]·frequency − [c[j] > 0]·presence + bias[j]. */
function direct(row: Float32Array, generated: number[], presence: number, frequency: number, bias = new Map()) {
  const out = Float32Array.from(row);
  const counts = new Map<number, number>();
  for (const id of generated) counts.set(id, (counts.get(id) ?? 0) + 1);
  for (const [id, c] of counts) out[id] -= c * frequency + (c > 0 ? presence : 0);
  for (const [id, b] of bias) out[id] += b;
  return out;
}

const argmax = (row: Float32Array) => row.indexOf(Math.max(...row));

describe("OpenAI logits adjustments", () => {
  it("presence and frequency penalties follow the formula over the tokens generated so far", () => {
    for (const [presence, frequency] of [
      [0.8, 0.5],
      [-1.2, 0],
      [0, 2],
      [1.5, -0.7],
    ]) {
      const s = createSampler({ ...base, presence_penalty: presence, frequency_penalty: frequency, top_logprobs: 0 });
      const generated: number[] = [];
      // The same logits every step: without the penalties greedy would repeat one token forever.
      const row = logits(7);
      for (let step = 0; step < 12; step++) {
        const expected = direct(row, generated, presence, frequency);
        const token = s.next(row, [99, 100]); // the prompt (history) never counts
        expect(token).toBe(argmax(expected));
        expect(s.logprobs!.logprob).toBeCloseTo(logSoftmax(expected)[token], 5);
        generated.push(token);
      }
      if (presence + frequency > 0) expect(new Set(generated).size).toBeGreaterThan(1);
    }
  });

  it("logit_bias is added to the logits: +100 forces a token, −100 bans one, others shift the distribution", () => {
    const row = logits(3);
    const best = argmax(row);
    const bias = new Map([
      [best, -100],
      [17, 3.5],
    ]);
    const s = createSampler({ ...base, logit_bias: bias, top_logprobs: 3 });
    const expected = direct(row, [], 0, 0, bias);
    expect(s.next(row, [])).toBe(argmax(expected));
    const lp = logSoftmax(expected);
    expect(s.logprobs!.top.map((t) => t.logprob)).toEqual(
      Array.from(lp)
        .sort((a, b) => b - a)
        .slice(0, 3)
        .map((v) => expect.closeTo(v, 5)),
    );
    expect(createSampler({ ...base, logit_bias: new Map([[1234, 100]]) }).next(row, [])).toBe(1234);
  });

  it("logprobs come from the processed logits before temperature, with the alternatives in rank order", () => {
    const row = logits(11);
    const s = createSampler({
      ...base,
      temperature: 0.3,
      top_k: 0, // the whole-row path, where temperature rewrites the row in place
      seed: 5,
      frequency_penalty: 1,
      banned: [argmax(row)],
      top_logprobs: 5,
    });
    const generated: number[] = [];
    for (let step = 0; step < 6; step++) {
      const expected = direct(row, generated, 0, 1);
      expected[argmax(row)] = -Infinity; // banned
      const lp = logSoftmax(expected);
      const token = s.next(row, []);
      expect(s.logprobs!.logprob).toBeCloseTo(lp[token], 5);
      const ranked = Array.from(lp.keys()).sort((a, b) => lp[b] - lp[a] || a - b);
      expect(s.logprobs!.top.map((t) => t.id)).toEqual(ranked.slice(0, 5));
      generated.push(token);
    }
  });

  it("top_logprobs 0 reports the chosen token only; unused features leave the plain greedy path", () => {
    const row = logits(1);
    const s = createSampler({ ...base, top_logprobs: 0 });
    expect(s.argmaxOnly).toBe(false);
    s.next(row, []);
    expect(s.logprobs!.top).toEqual([]);
    expect(createSampler(base).argmaxOnly).toBe(true);
    expect(
      createSampler({ ...base, presence_penalty: 0, frequency_penalty: 0, logit_bias: new Map() }).argmaxOnly,
    ).toBe(true);
    expect(createSampler(base).logprobs).toBeNull();
  });

  it("refuses penalties outside [−2, 2]", () => {
    expect(() => createSampler({ ...base, presence_penalty: 2.5 })).toThrow(RangeError);
  });
});
