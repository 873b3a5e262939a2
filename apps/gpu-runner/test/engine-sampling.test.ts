// The OpenAI sampling features through the engine on the tiny model: n choices from one
// prefill, logprobs from the logits each token was chosen from, and presence/frequency
// penalties and logit_bias, each checked against a direct computation or an n = 1 run.
import type { DoneEvent, GenerateRequest, GenerationParams } from "@mmgpt/schema/internal";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { Engine, type EngineOptions } from "../src/engine/engine.js";
import type { EngineEvent } from "../src/engine/job.js";
import { tokenText } from "../src/engine/logprob-entry.js";
import { logSoftmax } from "../src/engine/sampling/log-softmax.js";
import { choiceSeed } from "../src/engine/sampling/sampler.js";
import { bannedIdsOf } from "../src/engine/stop/finish.js";
import type { ModelRuntime } from "../src/model/runtime.js";
import { servingBuild } from "../src/server/load-model.js";
import { loadTokenizer } from "../src/tokenizer/index.js";
import type { Tokenizer } from "../src/tokenizer/types.js";
import { greedyParams, TEST_TENANT, tinyModel } from "./tiny-model.js";

let rt: ModelRuntime;
let tokenizer: Tokenizer;

beforeAll(async () => {
  rt = await tinyModel().load(servingBuild({ precision: "fp32", kvDtype: "fp16" }));
  tokenizer = await loadTokenizer();
});

const engine = (opts: Partial<EngineOptions> = {}) =>
  new Engine(rt, tokenizer, {
    maxBatch: 4,
    slots: 6,
    maxQueue: 16,
    maxContext: 512,
    imageFeatureBytes: 64 << 20,
    imagePixelBytes: 64 << 20,
    ...opts,
  });

const hello = [{ role: "user" as const, text: "Say hello to the world." }];
let n = 0;
function request(params: Partial<GenerationParams>, stream = true): GenerateRequest {
  return {
    request_id: `s${n++}`,
    model: "mmgpt-tiny",
    tenant: TEST_TENANT,
    turns: hello,
    params: greedyParams(params),
    stream,
  };
}

async function collect(e: Engine, req: GenerateRequest) {
  const events: EngineEvent[] = [];
  for await (const ev of e.events(e.submit(req))) events.push(ev);
  const done = events.at(-1) as DoneEvent;
  if (done?.type !== "done") throw new Error("no done event");
  return { events, done };
}

const SAMPLED = { temperature: 1, top_k: 0, top_p: 1, max_tokens: 16, seed: 42 };

describe("n choices", () => {
  it("prefill the prompt once; choice i is the n = 1 answer of its seed stream; usage counts the prompt once", async () => {
    const e = engine();
    const { events, done } = await collect(e, request({ ...SAMPLED, n: 3, logprobs: 0 }, false));
    const start = events[0];
    if (start.type !== "start") throw new Error("no start event");
    // One prefill for three choices (cold engine: nothing reused).
    expect(e.stats.prefillTokens).toBe(start.prompt_tokens);
    expect(done.choices?.map((c) => c.index)).toEqual([0, 1, 2]);
    const choices = done.choices!;
    expect(done.text).toBe(choices[0].text);
    expect(done.usage.prompt_tokens).toBe(start.prompt_tokens);
    expect(done.usage.completion_tokens).toBe(choices.reduce((s, c) => s + c.logprobs!.length, 0));
    expect(new Set(choices.map((c) => c.text)).size).toBeGreaterThan(1);
    // Each choice equals a request of its own with that choice's seed: the copied KV is the prompt's.
    for (const c of choices) {
      const alone = await collect(engine(), request({ ...SAMPLED, seed: choiceSeed(SAMPLED.seed, c.index) }));
      expect(alone.done.text).toBe(c.text);
      expect(alone.done.finish_reason).toBe(c.finish_reason);
    }
  });

  it("cost one prefill and the batch's decode steps: no decoder call and no more than the prompt's K/V per extra choice (three calls fewer than four separate requests sharing the cached prefix)", async () => {
    // Counted, not timed: every decoder call (prefill chunk or decode step) and every K/V copy.
    const prompt = [{ role: "user" as const, text: "Tell me a long story about the sea, the wind and the stars." }];
    const counted = async (prefixCache: boolean, reqs: GenerateRequest[]) => {
      const e = engine({ prefillChunk: 8, prefixCache });
      const calls = vi.spyOn(rt, "decode");
      const copies = vi.spyOn(e.kvPool, "copyFrom");
      try {
        const done = await Promise.all(reqs.map((r) => collect(e, { ...r, turns: prompt })));
        return {
          calls: calls.mock.calls.map(([b]) => `${b.batch}x${b.seq}`),
          copied: copies.mock.calls.map((c) => c[3]),
          steps: e.stats.decodeSteps,
          done: done.map((d) => d.done),
          promptTokens: (done[0].events[0] as Extract<EngineEvent, { type: "start" }>).prompt_tokens,
        };
      } finally {
        calls.mockRestore();
      }
    };
    const params = { ...SAMPLED, max_tokens: 12 };
    const n4 = await counted(true, [request({ ...params, n: 4 })]);
    const P = n4.promptTokens;
    const chunks = Math.ceil(P / 8);
    expect(P).toBeGreaterThan(16);
    // The prompt runs once, in its chunks; then every step decodes the four choices together.
    expect(n4.calls).toEqual([
      ...Array(chunks - 1).fill("1x8"),
      `1x${P - 8 * (chunks - 1)}`,
      ...Array(n4.steps).fill("4x1"),
    ]);
    // Each extra choice copies the prompt's positions once (not the pool's capacity, not twice).
    expect(n4.copied).toEqual([P, P, P]);
    const seeds = [0, 1, 2, 3].map((i) => choiceSeed(params.seed, i));
    const four = await counted(
      true,
      seeds.map((seed) => request({ ...params, seed })),
    );
    expect(four.done.map((d) => d.text)).toEqual(n4.done[0].choices!.map((c) => c.text));
    expect(four.steps).toBe(n4.steps);
    // Separate requests copy all but the last prompt token and run it once each.
    expect(four.copied).toEqual([P - 1, P - 1, P - 1]);
    expect(four.calls.length).toBe(n4.calls.length + 3);
  });

  it("stream their deltas by index, alongside another request in the batch; greedy choices equal the n = 1 answer", async () => {
    const e = engine();
    const other = collect(e, request({ max_tokens: 20 }));
    const { events, done } = await collect(e, request({ n: 3, max_tokens: 12 }));
    const alone = await collect(engine(), request({ max_tokens: 12 }));
    const texts = ["", "", ""];
    for (const ev of events) if (ev.type === "delta") texts[ev.index ?? -1] += ev.text;
    expect(texts).toEqual([alone.done.text, alone.done.text, alone.done.text]);
    expect(done.choices!.map((c) => c.text)).toEqual(texts);
    expect(done.usage.completion_tokens).toBe(3 * alone.done.usage.completion_tokens);
    expect((await other).done.text).toBe((await collect(engine(), request({ max_tokens: 20 }))).done.text);
  });

  it("a later turn with n = 2 reuses the cached prefix once for both choices and matches a cold run (greedy: sampled draws may flip on fp16 rounding)", async () => {
    const e = engine();
    const first = await collect(e, request({ max_tokens: 8 }));
    const turns = [
      ...hello,
      { role: "assistant" as const, text: first.done.text },
      { role: "user" as const, text: "More." },
    ];
    const req = (): GenerateRequest => ({ ...request({ max_tokens: 12, n: 2 }), turns });
    const before = e.stats.prefillTokens;
    const warm = await collect(e, req());
    const start = warm.events[0];
    if (start.type !== "start") throw new Error("no start event");
    expect(start.cached_tokens).toBeGreaterThan(0);
    expect(e.stats.prefillTokens - before).toBe(start.prompt_tokens - start.cached_tokens);
    const cold = await collect(engine({ prefixCache: false }), { ...req(), params: greedyParams({ max_tokens: 12 }) });
    expect(warm.done.choices!.map((c) => c.text)).toEqual([cold.done.text, cold.done.text]);
  });

  it("n = 1 events carry no index; n beyond the batch size is refused", async () => {
    const { events } = await collect(engine(), request({ max_tokens: 4 }));
    expect(events.some((ev) => ev.type === "delta" && "index" in ev)).toBe(false);
    const e = engine({ maxBatch: 2 });
    expect(() => e.submit(request({ n: 3 }))).toThrow(/n must be ≤ 2/);
  });
});

describe("logprobs, penalties and logit_bias", () => {
  it("report each token's log-prob and top alternatives from the penalised, biased logits before temperature", async () => {
    const seen: Float32Array[] = [];
    const e = engine({ onLogits: (_, l) => seen.push(Float32Array.from(l)) });
    const bias = { 450: 2.5, 1000: -3 };
    const params = {
      ...SAMPLED,
      temperature: 0.7,
      presence_penalty: 0.6,
      frequency_penalty: 0.4,
      logit_bias: bias,
      logprobs: 5,
    };
    const { done } = await collect(e, request(params, false));
    const entries = done.logprobs!;
    expect(entries.length).toBe(done.usage.completion_tokens);
    const ids: number[] = [];
    entries.forEach((entry, t) => {
      // Direct computation: mu − c·frequency − [c > 0]·presence + bias, banned ids masked.
      const row = Float32Array.from(seen[t]);
      const counts = new Map<number, number>();
      for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1);
      for (const [id, c] of counts) row[id] -= c * params.frequency_penalty + params.presence_penalty;
      for (const [id, b] of Object.entries(bias)) row[Number(id)] += b;
      for (const id of bannedIdsOf(tokenizer.special)) row[id] = -Infinity;
      const lp = logSoftmax(row);
      const ranked = Array.from(lp.keys()).sort((a, b) => lp[b] - lp[a] || a - b);
      const chosen = ranked.find(
        (id) => Math.abs(lp[id] - entry.logprob) < 1e-5 && tokenText(tokenizer.tokenBytes(id)) === entry.token,
      )!;
      expect(chosen).toBeDefined();
      expect(entry.bytes).toEqual(Array.from(tokenizer.tokenBytes(chosen)));
      expect(entry.top_logprobs.map((a) => a.logprob)).toEqual(
        ranked.slice(0, 5).map((id) => expect.closeTo(lp[id], 5)),
      );
      expect(entry.top_logprobs.map((a) => a.bytes)).toEqual(
        ranked.slice(0, 5).map((id) => Array.from(tokenizer.tokenBytes(id))),
      );
      ids.push(chosen);
    });
  });

  it("stream the same logprobs in the deltas as the non-streamed reply holds", async () => {
    const params = { ...SAMPLED, logprobs: 3 };
    const whole = await collect(engine(), request(params, false));
    const streamed = await collect(engine(), request(params, true));
    const fromDeltas = streamed.events.flatMap((ev) => (ev.type === "delta" ? (ev.logprobs ?? []) : []));
    expect(fromDeltas).toEqual(whole.done.logprobs);
    expect(streamed.done.logprobs).toBeUndefined();
  });

  it("logit_bias +100 makes a token the reply; a penalty makes greedy leave it; an id outside the vocab is refused", async () => {
    const cat = tokenizer.encode("cat")[0];
    const biased = await collect(engine(), request({ max_tokens: 6, logit_bias: { [cat]: 100 }, logprobs: 0 }, false));
    expect(biased.done.logprobs!.map((x) => x.bytes)).toEqual(Array(6).fill(Array.from(tokenizer.tokenBytes(cat))));
    const penalised = await collect(
      engine(),
      request(
        { max_tokens: 6, logit_bias: { [cat]: 5 }, frequency_penalty: 2, presence_penalty: 2, logprobs: 0 },
        false,
      ),
    );
    expect(new Set(penalised.done.logprobs!.map((x) => x.token)).size).toBeGreaterThan(1);
    expect(() => engine().submit(request({ logit_bias: { 40000: 1 } }))).toThrow(/outside the vocabulary/);
  });
});
