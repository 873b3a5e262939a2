// The engine on the tiny model: prefix reuse, image feature cache, continuous batching,
// decoding options — each checked against a cold run or a stated property.
import type { GenerateRequest, GenerationParams } from "@mmgpt/schema/internal";
import { beforeAll, describe, expect, it } from "vitest";
import { Engine, type EngineOptions } from "../src/engine/engine.js";
import type { EngineEvent } from "../src/engine/job.js";
import type { ModelRuntime } from "../src/model/runtime.js";
import { servingBuild } from "../src/server/load-model.js";
import { loadTokenizer } from "../src/tokenizer/index.js";
import type { Tokenizer } from "../src/tokenizer/types.js";
import { greedyParams, maxAbsDiff, rgbImage, TEST_TENANT, tinyModel } from "./tiny-model.js";
import { waitFor } from "./wait-for.js";

const GREEDY = greedyParams();
let rt: ModelRuntime;
let tokenizer: Tokenizer;

const engine = (opts: Partial<EngineOptions> = {}, logits?: Map<string, Float32Array[]>) => engineOf(opts, logits, rt);

function engineOf(
  opts: Partial<EngineOptions>,
  logits: Map<string, Float32Array[]> | undefined,
  model: ModelRuntime,
): Engine {
  return new Engine(model, tokenizer, {
    maxBatch: 4,
    slots: 6,
    maxQueue: 16,
    maxContext: 512,
    // Small chunks so multi-chunk prefill (with and without cache hits) is exercised.
    prefillChunk: 16,
    imageFeatureBytes: 64 << 20,
    imagePixelBytes: 64 << 20,
    onLogits: logits ? (id, l) => logits.set(id, [...(logits.get(id) ?? []), Float32Array.from(l)]) : undefined,
    ...opts,
  });
}

let n = 0;
function request(turns: GenerateRequest["turns"], params: Partial<GenerationParams> = {}): GenerateRequest {
  return {
    request_id: `r${n++}`,
    model: "mmgpt-tiny",
    tenant: TEST_TENANT,
    turns,
    params: { ...GREEDY, ...params },
    stream: true,
  };
}

/** Two runs chose each token from the same logits (within 1e-4), step by step. */
function expectSameLogits(a: Float32Array[], b: Float32Array[]): void {
  expect(a.length).toBe(b.length);
  a.forEach((row, i) => {
    expect(maxAbsDiff(row, b[i])).toBeLessThan(1e-4);
  });
}

async function collect(e: Engine, req: GenerateRequest) {
  const events: EngineEvent[] = [];
  const job = e.submit(req);
  for await (const ev of e.events(job)) events.push(ev);
  const done = events.at(-1);
  if (done?.type !== "done") throw new Error("no done event");
  return { events, done, text: done.text, ids: [...job.generated] };
}

/** The runtime, recording for each decode step whether it fetched the graph's greedy ids. */
function greedySpy(model: ModelRuntime): { model: ModelRuntime; picks: boolean[] } {
  const picks: boolean[] = [];
  const decode = model.decode.bind(model);
  const spy = Object.assign(Object.create(model), {
    decode: async (b: Parameters<ModelRuntime["decode"]>[0]) => {
      const out = await decode(b);
      if (b.seq === 1) picks.push(out.greedyIds !== undefined);
      return out;
    },
  }) as ModelRuntime;
  return { model: spy, picks };
}

beforeAll(async () => {
  rt = await tinyModel().load(servingBuild({ precision: "fp32", kvDtype: "fp16" }));
  tokenizer = await loadTokenizer();
});

describe("engine", () => {
  const img1 = rgbImage(1);
  const img2 = rgbImage(2);
  const turn1 = [{ role: "user" as const, text: "What is in this image?", images: [img1.hash] }];

  // The served default is an fp16 cache (rt); the fp32 one is a configuration choice.
  it.each(["fp16", "fp32"] as const)(
    "turn 2 prefills only its new tokens and matches a cold run (tokens and logits; %s KV cache)",
    async (kvDtype) => {
      const model = kvDtype === "fp16" ? rt : await tinyModel().load(servingBuild({ precision: "fp32", kvDtype }));
      expect(model.kvDtype).toBe(kvDtype);
      const engine = (o: Partial<EngineOptions>, logits: Map<string, Float32Array[]>) => engineOf(o, logits, model);
      const warmLogits = new Map<string, Float32Array[]>();
      const warm = engine({}, warmLogits);
      warm.images.put(TEST_TENANT, img1.hash, img1.bytes);
      const r1 = await collect(warm, request(turn1));
      const turns2 = [
        ...turn1,
        { role: "assistant" as const, text: r1.text },
        { role: "user" as const, text: "Count the objects." },
      ];
      const before = warm.stats.prefillTokens;
      const req2 = request(turns2);
      const r2 = await collect(warm, req2);
      const start = r2.events[0];
      expect(start.type).toBe("start");
      if (start.type !== "start") return;
      // Only what the cache lacked was run: the new turn (and the tail the reply re-tokenized to).
      expect(warm.stats.prefillTokens - before).toBe(start.prompt_tokens - start.cached_tokens);
      expect(start.cached_tokens).toBeGreaterThan(start.prompt_tokens / 2);
      const coldLogits = new Map<string, Float32Array[]>();
      const cold = engine({}, coldLogits);
      cold.images.put(TEST_TENANT, img1.hash, img1.bytes);
      const coldReq = { ...req2, request_id: "cold" };
      const c2 = await collect(cold, coldReq);
      expect(c2.done.usage.cached_tokens).toBe(0);
      expect(r2.text).toBe(c2.text);
      expectSameLogits(warmLogits.get(req2.request_id)!, coldLogits.get("cold")!);
      if (model !== rt) await model.release();
    },
  );

  it("on the served fast path (graph argmax, no logits observer) turn 2 gives a cold run's token ids; so does the prefix cache turned off", async () => {
    const { model, picks } = greedySpy(rt);
    const run = async (opts: Partial<EngineOptions>, reqs: GenerateRequest[]) => {
      const e = engineOf(opts, undefined, model);
      e.images.put(TEST_TENANT, img1.hash, img1.bytes);
      const out = [];
      for (const r of reqs) out.push(await collect(e, r));
      return { e, out };
    };
    const req1 = request(turn1);
    const [r1] = (await run({}, [req1])).out;
    const req2 = request([
      ...turn1,
      { role: "assistant" as const, text: r1.text },
      { role: "user" as const, text: "Count the objects." },
    ]);
    const warm = (await run({}, [req1, req2])).out[1];
    const cold = (await run({}, [req2])).out[0];
    const off = await run({ prefixCache: false }, [req1, req2]);
    expect(warm.done.usage.cached_tokens).toBeGreaterThan(warm.done.usage.prompt_tokens / 2);
    expect(cold.done.usage.cached_tokens).toBe(0);
    expect(off.out.map((r) => r.done.usage.cached_tokens)).toEqual([0, 0]);
    expect(off.e.stats.reusedTokens).toBe(0);
    expect(warm.ids.length).toBeGreaterThan(1);
    expect(warm.ids).toEqual(cold.ids);
    expect(off.out[1].ids).toEqual(cold.ids);
    // Every decode step of these runs took the argmax output.
    expect(picks.length).toBeGreaterThan(0);
    expect(picks.every(Boolean)).toBe(true);
  });

  it("a request sharing a prefix with a running one copies that KV instead of prefilling it, and matches a cold run", async () => {
    const warmLogits = new Map<string, Float32Array[]>();
    const e = engine({}, warmLogits);
    const a = e.submit(
      request([{ role: "user", text: "Tell me about the sea, the ships on it and the birds." }], { max_tokens: 40 }),
    );
    const aEvents = e.events(a)[Symbol.asyncIterator]();
    await aEvents.next(); // start: A is in the batch
    await aEvents.next(); // and decoding
    const reqB = request([{ role: "user", text: "Tell me about the sea, the ships on it and the fish." }], {
      max_tokens: 8,
    });
    const before = e.stats.prefillTokens;
    const b = await collect(e, reqB);
    while (!(await aEvents.next()).done);
    const start = b.events[0];
    if (start.type !== "start") throw new Error("no start event");
    // The template and the shared words came from A's row; only B's own tail was run.
    expect(start.cached_tokens).toBeGreaterThan(30);
    expect(e.stats.prefillTokens - before).toBe(start.prompt_tokens - start.cached_tokens);
    const coldLogits = new Map<string, Float32Array[]>();
    const cold = await collect(engine({}, coldLogits), { ...reqB, request_id: "cold-b" });
    expect(b.text).toBe(cold.text);
    expectSameLogits(warmLogits.get(reqB.request_id)!, coldLogits.get("cold-b")!);
  });

  it("a later turn that adds a new image matches a cold run", async () => {
    const logits = new Map<string, Float32Array[]>();
    const warm = engine({}, logits);
    for (const i of [img1, img2]) warm.images.put(TEST_TENANT, i.hash, i.bytes);
    const r1 = await collect(warm, request(turn1));
    const turns2 = [
      ...turn1,
      { role: "assistant" as const, text: r1.text },
      { role: "user" as const, text: "And this one?", images: [img2.hash] },
    ];
    const req2 = request(turns2);
    const r2 = await collect(warm, req2);
    const cold = engine({}, logits);
    for (const i of [img1, img2]) cold.images.put(TEST_TENANT, i.hash, i.bytes);
    const c2 = await collect(cold, { ...req2, request_id: "cold2" });
    expect(r2.text).toBe(c2.text);
    expectSameLogits(logits.get(req2.request_id)!, logits.get("cold2")!);
  });

  it("the same image in a second request does not run the vision graph again", async () => {
    const e = engine();
    e.images.put(TEST_TENANT, img1.hash, img1.bytes);
    const a = await collect(e, request(turn1));
    expect(e.stats.visionRuns).toBe(1);
    const b = await collect(e, request([{ role: "user", text: "Describe it in detail.", images: [img1.hash] }]));
    const c = await collect(e, request(turn1));
    expect(e.stats.visionRuns).toBe(1);
    expect(c.text).toBe(a.text);
    expect(b.done.usage.prompt_tokens).toBeGreaterThan(0);
  });

  it("N concurrent greedy requests equal the same requests one at a time", async () => {
    const prompts = [
      "Tell me a story.",
      "What is the capital of France?",
      "Describe the image.",
      "List three colors.",
      "Why is the sky blue?",
      "Write a haiku.",
    ];
    const mk = (i: number) =>
      request(
        i === 2 ? [{ role: "user", text: prompts[i], images: [img1.hash] }] : [{ role: "user", text: prompts[i] }],
        {
          max_tokens: 8 + i,
        },
      );
    const seqLogits = new Map<string, Float32Array[]>();
    const seq = engine({}, seqLogits);
    seq.images.put(TEST_TENANT, img1.hash, img1.bytes);
    const one: string[] = [];
    for (let i = 0; i < prompts.length; i++) one.push((await collect(seq, { ...mk(i), request_id: `s${i}` })).text);
    const parLogits = new Map<string, Float32Array[]>();
    const par = engine({}, parLogits);
    par.images.put(TEST_TENANT, img1.hash, img1.bytes);
    const all = await Promise.all(prompts.map((_, i) => collect(par, { ...mk(i), request_id: `p${i}` })));
    expect(all.map((r) => r.text)).toEqual(one);
    // More than one sequence really shared a decode step.
    expect(par.stats.decodeTokens / par.stats.decodeSteps).toBeGreaterThan(1.5);
    prompts.forEach((_, i) => {
      expectSameLogits(seqLogits.get(`s${i}`)!, parLogits.get(`p${i}`)!);
    });
  });
});

describe("decoding options", () => {
  const hello = [{ role: "user" as const, text: "Write a short poem about the sea." }];

  it("plain greedy batches take the graph's argmax instead of the logits, with the same tokens", async () => {
    const { model: spy, picks } = greedySpy(rt);
    const reqs = [hello, [{ role: "user" as const, text: "Count the ships." }]].map((t) =>
      request(t, { max_tokens: 10 }),
    );
    // Through the argmax output (no logits observer) …
    const e = engineOf({}, undefined, spy);
    const fast = await Promise.all(reqs.map((r) => collect(e, r)));
    expect(picks.length).toBeGreaterThan(0);
    expect(picks.every(Boolean)).toBe(true);
    // … and through the logits (an observer wants them): the same tokens.
    const observed = engine({}, new Map());
    const viaLogits = await Promise.all(reqs.map((r) => collect(observed, { ...r, request_id: `${r.request_id}-l` })));
    expect(fast.map((r) => r.text)).toEqual(viaLogits.map((r) => r.text));
    expect(fast.map((r) => r.done.usage.completion_tokens)).toEqual(
      viaLogits.map((r) => r.done.usage.completion_tokens),
    );
  });

  it("beam search equals a cache-free beam search over full forwards (KV rows reordered correctly)", async () => {
    const e = engine();
    const req = request(hello, { num_beams: 3, max_tokens: 6 });
    const got = await collect(e, { ...req, stream: false });
    // Reference: the same BeamSearch driven by full recomputes of every beam, no KV reuse.
    const { BeamSearch } = await import("../src/engine/sampling/beam-search.js");
    const { SequenceState } = await import("../src/engine/sequence-state.js");
    const { renderPrompt } = await import("../src/prompt/index.js");
    const ids = renderPrompt(tokenizer, { turns: hello }).ids;
    const s = tokenizer.special;
    const search = new BeamSearch({
      numBeams: 3,
      maxNewTokens: 6,
      eosIds: [s.eos, s.endOfChunk],
      banned: [s.image, s.pad],
      repetitionPenalty: 1,
      prompt: ids,
    });
    search.start();
    let beams: number[][] = [[]];
    let logits = [await forward(ids)];
    for (;;) {
      const step = search.step(logits);
      if (step.done || step.beams.length === 0) break;
      beams = step.beams.map((b) => [...beams[b.parent], b.token]);
      logits = await Promise.all(beams.map((b) => forward([...ids, ...b])));
    }
    const best = search.finish();
    expect(got.text).toBe(tokenizer.decode(best.tokens));
    async function forward(seq: number[]) {
      return Float32Array.from((await new SequenceState(rt, 256).extend(seq)).logits);
    }
  });

  it("seeded sampling is reproducible; different seeds differ", async () => {
    const e = engine();
    const p = { temperature: 1, top_k: 0, top_p: 1, max_tokens: 16 };
    const a = await collect(e, request(hello, { ...p, seed: 42 }));
    const b = await collect(e, request(hello, { ...p, seed: 42 }));
    const c = await collect(e, request(hello, { ...p, seed: 43 }));
    expect(a.text).toBe(b.text);
    expect(a.text).not.toBe(c.text);
  });

  it("top_k = 1 and a tiny top_p both reduce sampling to greedy", async () => {
    const e = engine();
    const greedy = await collect(e, request(hello, { max_tokens: 10 }));
    const k1 = await collect(e, request(hello, { temperature: 1, top_k: 1, seed: 1, max_tokens: 10 }));
    const p0 = await collect(e, request(hello, { temperature: 1, top_p: 1e-6, seed: 2, max_tokens: 10 }));
    expect(k1.text).toBe(greedy.text);
    expect(p0.text).toBe(greedy.text);
  });

  it("a stop string ends the reply and never leaks into it; max_tokens gives finish_reason length", async () => {
    const e = engine();
    const full = await collect(e, request(hello, { max_tokens: 12 }));
    expect(full.done.finish_reason).toBe("length");
    expect(full.done.usage.completion_tokens).toBe(12);
    const deltas = full.events.filter((x) => x.type === "delta").map((x) => (x.type === "delta" ? x.text : ""));
    const cut = deltas.slice(0, 3).join("").length;
    const stop = full.text.slice(cut, cut + 4);
    const stopped = await collect(e, request(hello, { max_tokens: 12, stop: [stop] }));
    expect(stopped.done.finish_reason).toBe("stop");
    // Replies are trimmed like the original demo's .strip().
    expect(stopped.text).toBe(full.text.slice(0, full.text.indexOf(stop)).trimEnd());
    const streamed = stopped.events.filter((x) => x.type === "delta").map((x) => (x.type === "delta" ? x.text : ""));
    expect(streamed.join("")).not.toContain(stop);
  });

  it("a request sharing only the template does not destroy an idle long conversation's cache", async () => {
    const e = engine();
    const longTurns = [{ role: "user" as const, text: "the sea and the ships ".repeat(40) }];
    const r1 = await collect(e, request(longTurns, { max_tokens: 4 }));
    const short = await collect(e, request(hello, { max_tokens: 4 }));
    const start1 = short.events[0];
    // The template came from the long conversation's row, copied into a slot of its own.
    expect(start1.type === "start" && start1.cached_tokens).toBeGreaterThan(20);
    // The long conversation's next turn still finds its whole cache.
    const turn2 = [
      ...longTurns,
      { role: "assistant" as const, text: r1.text },
      { role: "user" as const, text: "More?" },
    ];
    const r2 = await collect(e, request(turn2, { max_tokens: 2 }));
    const start = r2.events[0];
    expect(start.type === "start" && start.cached_tokens).toBeGreaterThan(150);
  });

  it("an idle long conversation does not make short ones read its length: its KV is spilled, and its next turn still reuses it", async () => {
    const logits = new Map<string, Float32Array[]>();
    // The pool's capacity at every prefill and decode step (what each row's attention reads).
    const capacities: number[] = [];
    const e: Engine = engine({
      onLogits: (id, l) => {
        capacities.push(e.kvPool.capacity);
        logits.set(id, [...(logits.get(id) ?? []), Float32Array.from(l)]);
      },
    });
    const longTurns = [{ role: "user" as const, text: "the sea and the ships ".repeat(40) }];
    const r1 = await collect(e, request(longTurns, { max_tokens: 4 }));
    const longHeld = r1.done.usage.prompt_tokens + 3;
    expect(e.kvPool.capacity).toBeGreaterThanOrEqual(longHeld);
    // A short request decodes with a capacity that follows its own length, not the idle row's.
    capacities.length = 0;
    await collect(e, request([{ role: "user", text: "Hi there." }], { max_tokens: 6 }));
    expect(e.stats.kvSpills).toBe(1);
    expect(Math.max(...capacities)).toBeLessThan(longHeld);
    // The long conversation's next turn brings its cache back and matches a cold run.
    const turn2 = [
      ...longTurns,
      { role: "assistant" as const, text: r1.text },
      { role: "user" as const, text: "More?" },
    ];
    const req2 = request(turn2, { max_tokens: 4 });
    const r2 = await collect(e, req2);
    const start = r2.events[0];
    expect(start.type === "start" && start.cached_tokens).toBeGreaterThan(150);
    const coldLogits = new Map<string, Float32Array[]>();
    const cold = await collect(engine({}, coldLogits), { ...req2, request_id: "cold-spill" });
    expect(r2.text).toBe(cold.text);
    expectSameLogits(logits.get(req2.request_id)!, coldLogits.get("cold-spill")!);
  });

  it("a failed call fails the job being admitted (it hung before); the retry equals a cold run", async () => {
    let failAt = -1;
    let calls = 0;
    const flaky: ModelRuntime = Object.create(rt);
    flaky.decode = (b) => (calls++ === failAt ? Promise.reject(new Error("device lost")) : rt.decode(b));
    const logits = new Map<string, Float32Array[]>();
    const e = new Engine(flaky, tokenizer, {
      maxBatch: 2,
      slots: 2,
      maxQueue: 4,
      maxContext: 512,
      prefillChunk: 16,
      imageFeatureBytes: 1 << 20,
      imagePixelBytes: 1 << 20,
      onLogits: (id, l) => logits.set(id, [...(logits.get(id) ?? []), Float32Array.from(l)]),
    });
    // Two idle slots: an unrelated conversation (least recently used), then `hello`.
    await collect(e, request([{ role: "user", text: "Name three colors of the rainbow, please." }], { max_tokens: 6 }));
    await collect(e, request(hello, { max_tokens: 6 }));
    // A request sharing only part of `hello` takes the older slot with a copy of that part; its
    // prefill fails after one chunk (the rows it wrote must not mislead a later reuse).
    const turns = [{ role: "user" as const, text: "Write a short poem about the moon and the stars tonight." }];
    failAt = calls + 1;
    await expect(collect(e, request(turns, { max_tokens: 4 }))).rejects.toThrow(/device lost/);
    const retry = request(turns, { max_tokens: 4 });
    const again = await collect(e, retry);
    const cold = await collect(engine({}, logits), { ...retry, request_id: "cold-retry" });
    expect(again.text).toBe(cold.text);
    expectSameLogits(logits.get(retry.request_id)!, logits.get("cold-retry")!);
  });

  it("a job done at its first token costs no decode step (the next request does not wait for one)", async () => {
    const e = engine();
    const one = await collect(e, request(hello, { max_tokens: 1 }));
    expect(one.done.usage.completion_tokens).toBe(1);
    await waitFor(() => e.busy === 0);
    expect(e.stats.decodeSteps).toBe(0);
    const two = await collect(e, request(hello, { max_tokens: 2 }));
    expect(two.done.usage.completion_tokens).toBe(2);
    expect(e.stats.decodeSteps).toBe(1);
  });
});

describe("cache budgets", () => {
  it("eviction changes speed, never results: no feature cache and no idle slots give the same tokens", async () => {
    const img = rgbImage(9);
    const turns = [{ role: "user" as const, text: "What is in this image?", images: [img.hash] }];
    const roomy = engine();
    const tight = engine({ imageFeatureBytes: 0, slots: 1, maxBatch: 1 });
    for (const e of [roomy, tight]) e.images.put(TEST_TENANT, img.hash, img.bytes);
    const a1 = await collect(roomy, request(turns));
    const b1 = await collect(tight, request(turns));
    const next = [
      ...turns,
      { role: "assistant" as const, text: a1.text },
      { role: "user" as const, text: "More detail." },
    ];
    // An unrelated request in between takes the only slot of the tight engine.
    await collect(tight, request([{ role: "user", text: "Unrelated." }]));
    const a2 = await collect(roomy, request(next));
    const b2 = await collect(tight, request(next));
    expect(b1.text).toBe(a1.text);
    expect(b2.text).toBe(a2.text);
    expect(a2.done.usage.cached_tokens).toBeGreaterThan(0);
    expect(b2.done.usage.cached_tokens).toBe(0);
    expect(tight.stats.visionRuns).toBe(2);
    expect(roomy.stats.visionRuns).toBe(1);
  });
});
