// The engine on the tiny model: prefix reuse, image feature cache, continuous batching,
// decoding options — each checked against a cold run or a stated property.
import { createHash } from "node:crypto";
import type { GenerateRequest, GenerationParams } from "@mmgpt/schema/internal";
import { beforeAll, describe, expect, it } from "vitest";
import { Engine, type EngineOptions } from "../src/engine/engine.js";
import type { EngineEvent } from "../src/engine/job.js";
import type { ModelRuntime } from "../src/model/runtime.js";
import { servingBuild } from "../src/server/load-model.js";
import { loadTokenizer } from "../src/tokenizer/index.js";
import type { Tokenizer } from "../src/tokenizer/types.js";
import { maxAbsDiff, tinyModel } from "./tiny-model.js";

const GREEDY: GenerationParams = {
  max_tokens: 12,
  temperature: 0,
  top_p: 1,
  top_k: 0,
  num_beams: 1,
  repetition_penalty: 1,
  stop: [],
};
let rt: ModelRuntime;
let tokenizer: Tokenizer;

function rgb(seed: number): { hash: string; bytes: Uint8Array } {
  const bytes = new Uint8Array(224 * 224 * 3);
  let x = seed;
  for (let i = 0; i < bytes.length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    bytes[i] = x >>> 24;
  }
  return { hash: createHash("sha256").update(bytes).digest("hex"), bytes };
}

function engine(opts: Partial<EngineOptions> = {}, logits?: Map<string, Float32Array[]>): Engine {
  return new Engine(rt, tokenizer, {
    maxBatch: 4,
    slots: 6,
    maxQueue: 16,
    maxContext: 512,
    imageFeatureBytes: 64 << 20,
    imagePixelBytes: 64 << 20,
    onLogits: logits ? (id, l) => logits.set(id, [...(logits.get(id) ?? []), Float32Array.from(l)]) : undefined,
    ...opts,
  });
}

let n = 0;
function request(turns: GenerateRequest["turns"], params: Partial<GenerationParams> = {}): GenerateRequest {
  return { request_id: `r${n++}`, model: "mmgpt-tiny", turns, params: { ...GREEDY, ...params }, stream: true };
}

async function collect(e: Engine, req: GenerateRequest) {
  const events: EngineEvent[] = [];
  for await (const ev of e.events(e.submit(req))) events.push(ev);
  const done = events.at(-1);
  if (done?.type !== "done") throw new Error("no done event");
  return { events, done, text: done.text };
}

beforeAll(async () => {
  rt = await tinyModel().load(servingBuild({ precision: "fp32" }));
  tokenizer = await loadTokenizer();
});

describe("engine", () => {
  const img1 = rgb(1);
  const img2 = rgb(2);
  const turn1 = [{ role: "user" as const, text: "What is in this image?", image: img1.hash }];

  it("turn 2 prefills only its new tokens and matches a cold run (tokens and logits)", async () => {
    const warmLogits = new Map<string, Float32Array[]>();
    const warm = engine({}, warmLogits);
    warm.images.put(img1.hash, img1.bytes);
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
    cold.images.put(img1.hash, img1.bytes);
    const coldReq = { ...req2, request_id: "cold" };
    const c2 = await collect(cold, coldReq);
    expect(c2.done.usage.cached_tokens).toBe(0);
    expect(r2.text).toBe(c2.text);
    const a = warmLogits.get(req2.request_id)!;
    const b = coldLogits.get("cold")!;
    expect(a.length).toBe(b.length);
    a.forEach((row, i) => {
      expect(maxAbsDiff(row, b[i])).toBeLessThan(1e-4);
    });
  });

  it("a later turn that adds a new image matches a cold run", async () => {
    const logits = new Map<string, Float32Array[]>();
    const warm = engine({}, logits);
    for (const i of [img1, img2]) warm.images.put(i.hash, i.bytes);
    const r1 = await collect(warm, request(turn1));
    const turns2 = [
      ...turn1,
      { role: "assistant" as const, text: r1.text },
      { role: "user" as const, text: "And this one?", image: img2.hash },
    ];
    const req2 = request(turns2);
    const r2 = await collect(warm, req2);
    const cold = engine({}, logits);
    for (const i of [img1, img2]) cold.images.put(i.hash, i.bytes);
    const c2 = await collect(cold, { ...req2, request_id: "cold2" });
    expect(r2.text).toBe(c2.text);
    logits.get(req2.request_id)!.forEach((row, i) => {
      expect(maxAbsDiff(row, logits.get("cold2")![i])).toBeLessThan(1e-4);
    });
  });

  it("the same image in a second request does not run the vision graph again", async () => {
    const e = engine();
    e.images.put(img1.hash, img1.bytes);
    const a = await collect(e, request(turn1));
    expect(e.stats.visionRuns).toBe(1);
    const b = await collect(e, request([{ role: "user", text: "Describe it in detail.", image: img1.hash }]));
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
      request(i === 2 ? [{ role: "user", text: prompts[i], image: img1.hash }] : [{ role: "user", text: prompts[i] }], {
        max_tokens: 8 + i,
      });
    const seqLogits = new Map<string, Float32Array[]>();
    const seq = engine({}, seqLogits);
    seq.images.put(img1.hash, img1.bytes);
    const one: string[] = [];
    for (let i = 0; i < prompts.length; i++) one.push((await collect(seq, { ...mk(i), request_id: `s${i}` })).text);
    const parLogits = new Map<string, Float32Array[]>();
    const par = engine({}, parLogits);
    par.images.put(img1.hash, img1.bytes);
    const all = await Promise.all(prompts.map((_, i) => collect(par, { ...mk(i), request_id: `p${i}` })));
    expect(all.map((r) => r.text)).toEqual(one);
    // More than one sequence really shared a decode step.
    expect(par.stats.decodeTokens / par.stats.decodeSteps).toBeGreaterThan(1.5);
    prompts.forEach((_, i) => {
      const a = seqLogits.get(`s${i}`)!;
      const b = parLogits.get(`p${i}`)!;
      expect(b.length).toBe(a.length);
      a.forEach((row, k) => {
        expect(maxAbsDiff(row, b[k])).toBeLessThan(1e-4);
      });
    });
  });
});
