// The runner service in-process (Hono's app.request): the internal protocol, auth, errors,
// backpressure and cancellation over a real engine on the tiny model.
import { createHash } from "node:crypto";
import type { GenerateRequest } from "@mmgpt/schema/internal";
import type { Hono } from "hono";
import { beforeAll, describe, expect, it } from "vitest";
import { Engine } from "../src/engine/engine.js";
import { LocalEngineHost } from "../src/engine-host/local-host.js";
import type { ModelRuntime } from "../src/model/runtime.js";
import { type AppState, createApp } from "../src/server/app.js";
import { servingBuild } from "../src/server/load-model.js";
import { silentLogger } from "../src/server/logger.js";
import { loadTokenizer } from "../src/tokenizer/index.js";
import { headers, SECRET } from "./service-headers.js";
import { greedyParams, TEST_TENANT, tinyModel } from "./tiny-model.js";
import { waitFor } from "./wait-for.js";

let rt: ModelRuntime;

async function makeApp(opts: { maxBatch?: number; maxQueue?: number; imagePixelBytes?: number } = {}) {
  const engine = new Engine(rt, await loadTokenizer(), {
    maxBatch: opts.maxBatch ?? 4,
    slots: 4,
    maxQueue: opts.maxQueue ?? 8,
    maxContext: 256,
    imageFeatureBytes: 32 << 20,
    imagePixelBytes: opts.imagePixelBytes ?? 32 << 20,
  });
  const state: AppState = {
    host: new LocalEngineHost(new Map([["mmgpt-tiny", engine]])),
    draining: false,
    inFlight: 0,
  };
  return { app: createApp(state, { secret: SECRET, logger: silentLogger, logPrompts: false }), engine, state };
}

const body = (
  over: Partial<GenerateRequest> = {},
  params: Partial<GenerateRequest["params"]> = {},
): GenerateRequest => ({
  request_id: "req-1",
  model: "mmgpt-tiny",
  tenant: TEST_TENANT,
  turns: [{ role: "user", text: "Hello there" }],
  params: greedyParams({ max_tokens: 8, ...params }),
  stream: false,
  ...over,
});

const post = (app: Hono, b: unknown, h: Record<string, string> = headers, init: RequestInit = {}) =>
  app.request("/internal/v1/generate", { method: "POST", headers: h, body: JSON.stringify(b), ...init });

async function ndjson(res: Response) {
  return (await res.text())
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

beforeAll(async () => {
  rt = await tinyModel().load(servingBuild({ precision: "fp32", kvDtype: "fp16" }));
});

describe("runner service", () => {
  it("health is open; everything else needs the secret and the protocol version", async () => {
    const { app } = await makeApp();
    expect((await app.request("/healthz")).status).toBe(200);
    expect((await app.request("/readyz")).status).toBe(200);
    expect((await app.request("/metrics")).status).toBe(401);
    const bad = await post(app, body(), { ...headers, authorization: "Bearer wrong-secret-000000" });
    expect(bad.status).toBe(401);
    expect((await bad.json()).error.code).toBe("unauthorized");
    const noVersion = await post(app, body(), {
      authorization: headers.authorization,
      "content-type": "application/json",
    });
    expect(noVersion.status).toBe(400);
    expect((await noVersion.json()).error.code).toBe("protocol_mismatch");
  });

  it("malformed requests get 400 with the error body; the service keeps serving", async () => {
    const { app } = await makeApp();
    const notJson = await app.request("/internal/v1/generate", { method: "POST", headers, body: "{oops" });
    expect(notJson.status).toBe(400);
    const badTurns = await post(app, body({ turns: [{ role: "assistant", text: "hi" }] }));
    expect(badTurns.status).toBe(400);
    expect((await badTurns.json()).error.message).toMatch(/turns/);
    const unknownModel = await post(app, body({ model: "gpt-5" }));
    expect(unknownModel.status).toBe(404);
    const ok = await post(app, body());
    expect(ok.status).toBe(200);
    expect((await ok.json()).type).toBe("done");
  });

  it("context overflow is a clear 400 context_length_exceeded", async () => {
    const { app } = await makeApp();
    const res = await post(app, body({}, { max_tokens: 250 }));
    expect(res.status).toBe(400);
    const e = (await res.json()).error;
    expect(e.code).toBe("context_length_exceeded");
    expect(e.message).toMatch(/exceeds the context of 256 tokens/);
  });

  it('truncation "auto": a conversation past the context drops its oldest exchanges and clamps max_tokens', async () => {
    const { app } = await makeApp();
    const long = "the red circle sits left of the blue square ".repeat(4);
    const turns = [1, 2, 3, 4, 5].flatMap((i) => [
      { role: "user" as const, text: `${i}: ${long}` },
      { role: "assistant" as const, text: `${i}: ${long}` },
    ]);
    turns.push({ role: "user", text: "Where is the circle?" });
    const disabled = await post(app, body({ turns }, { max_tokens: 16 }));
    expect((await disabled.json()).error.code).toBe("context_length_exceeded");
    const auto = await post(app, body({ turns, truncation: "auto" }, { max_tokens: 16 }));
    expect(auto.status).toBe(200);
    const done = await auto.json();
    expect(done.dropped_exchanges).toBeGreaterThan(0);
    expect(done.max_tokens).toBe(16);
    expect(done.usage.prompt_tokens + 16).toBeLessThanOrEqual(256);
    expect(done.prompt).not.toContain("1: the red");
    expect(done.prompt).toContain("Where is the circle?");
    // Only the last turn left and still no room for 250 tokens: clamped to what remains.
    const clamped = await (await post(app, body({ truncation: "auto" }, { max_tokens: 250 }))).json();
    expect(clamped.max_tokens).toBe(256 - clamped.usage.prompt_tokens);
    expect(clamped.dropped_exchanges).toBe(0);
  });

  it("images: PUT checks the hash, HEAD reports presence, missing images are a 409 listing each", async () => {
    const { app } = await makeApp();
    const [px, px2] = [7, 9].map((v) => new Uint8Array(224 * 224 * 3).fill(v));
    const [sha, sha2] = [px, px2].map((p) => createHash("sha256").update(p).digest("hex"));
    const path = (h: string) => `/internal/v1/images/${h}`;
    expect((await app.request(path(sha), { method: "HEAD", headers })).status).toBe(404);
    // Two images in one turn, the first repeated: each is listed once.
    const turns = [{ role: "user" as const, text: "Which is darker?", images: [sha, sha2, sha] }];
    const missing = await post(app, body({ turns }));
    expect(missing.status).toBe(409);
    expect((await missing.json()).error.missing).toEqual([sha, sha2]);
    const wrong = await app.request(path(sha), { method: "PUT", headers, body: px2 });
    expect(wrong.status).toBe(400);
    for (const [h, p] of [
      [sha, px],
      [sha2, px2],
    ] as const) {
      expect((await app.request(path(h), { method: "PUT", headers, body: p })).status).toBe(204);
    }
    expect((await app.request(path(sha), { method: "HEAD", headers })).status).toBe(200);
    const ok = await post(app, body({ turns, stream: true }));
    const events = await ndjson(ok);
    expect(events[0].type).toBe("start");
    expect(events.at(-1).type).toBe("done");
    // Each image its own block, in order, before the instruction (MODEL.md).
    expect(events.at(-1).prompt).toContain(
      "### Image:\n<image>\n\n### Image:\n<image>\n\n### Image:\n<image>\n\n### Instruction:\nWhich is darker?",
    );
  });

  it("streams NDJSON token by token; the deltas add up to the reply", async () => {
    const { app } = await makeApp();
    const events = await ndjson(await post(app, body({ stream: true }, { max_tokens: 10 })));
    const deltas = events.filter((e) => e.type === "delta").map((e) => e.text);
    const done = events.at(-1);
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.join("")).toBe(done.text);
    expect(done.usage.completion_tokens).toBeLessThanOrEqual(10);
  });

  it("a full queue answers 503 overloaded with Retry-After", async () => {
    const { app } = await makeApp({ maxBatch: 1, maxQueue: 1 });
    const slow = { max_tokens: 60 };
    const a = post(app, body({ request_id: "a" }, slow));
    const b = post(app, body({ request_id: "b" }, slow));
    const c = await post(app, body({ request_id: "c" }, slow));
    expect(c.status).toBe(503);
    expect(c.headers.get("retry-after")).toBe("1");
    expect((await c.json()).error.code).toBe("overloaded");
    expect((await a).status).toBe(200);
    expect((await b).status).toBe(200);
  });

  it("a client that disconnects mid-stream stops its generation and frees its row", async () => {
    const { app, engine } = await makeApp();
    const ctl = new AbortController();
    const res = await post(app, body({ stream: true }, { max_tokens: 200 }), headers, { signal: ctl.signal });
    const reader = res.body!.getReader();
    await reader.read();
    await reader.read();
    ctl.abort();
    await reader.cancel().catch(() => {});
    await waitFor(() => engine.busy === 0);
    expect(engine.busy).toBe(0);
    expect(engine.stats.cancelled).toBe(1);
    expect(engine.stats.decodeTokens).toBeLessThan(100);
    // …and the next request is served normally.
    expect((await post(app, body())).status).toBe(200);
  });

  it("an image evicted from the pixel cache before use is a 409 image_missing naming it", async () => {
    // Room for one preprocessed image: storing the second evicts the first (never used, so no
    // features were cached for it either).
    const { app } = await makeApp({ imagePixelBytes: 224 * 224 * 3 });
    const [px, px2] = [5, 6].map((v) => new Uint8Array(224 * 224 * 3).fill(v));
    const [sha, sha2] = [px, px2].map((p) => createHash("sha256").update(p).digest("hex"));
    for (const [h, p] of [
      [sha, px],
      [sha2, px2],
    ] as const) {
      expect((await app.request(`/internal/v1/images/${h}`, { method: "PUT", headers, body: p })).status).toBe(204);
    }
    expect((await app.request(`/internal/v1/images/${sha}`, { method: "HEAD", headers })).status).toBe(404);
    const res = await post(app, body({ turns: [{ role: "user", text: "What is it?", images: [sha2, sha] }] }));
    expect(res.status).toBe(409);
    const e = (await res.json()).error;
    expect(e.code).toBe("image_missing");
    expect(e.missing).toEqual([sha]);
    // The image still held is served.
    const ok = await post(app, body({ turns: [{ role: "user", text: "What is it?", images: [sha2] }] }));
    expect(ok.status).toBe(200);
  });

  it("metrics count what was served: requests, tokens, first tokens, cache hits, batch size", async () => {
    const { app } = await makeApp();
    const metric = (text: string, name: string) => {
      const m = new RegExp(`^${name.replace(/[{}"+]/g, "\\$&")} (\\S+)$`, "m").exec(text);
      if (!m) throw new Error(`no ${name} in the metrics`);
      return Number(m[1]);
    };
    const scrape = async () => (await app.request("/metrics", { headers })).text();
    const before = await scrape();
    expect(metric(before, "mmgpt_requests_total")).toBe(0);
    // Two requests one after the other with one image; the second repeats the first's prompt, so its prefix
    // (all but the last prompt token, which must run to give logits) comes from the cache.
    const px = new Uint8Array(224 * 224 * 3).fill(3);
    const sha = createHash("sha256").update(px).digest("hex");
    expect((await app.request(`/internal/v1/images/${sha}`, { method: "PUT", headers, body: px })).status).toBe(204);
    const turns = [{ role: "user" as const, text: "What is it?", images: [sha] }];
    const done = [];
    const hits: number[] = [];
    for (const id of ["m1", "m2"]) {
      done.push(await (await post(app, body({ request_id: id, turns }, { max_tokens: 6 }))).json());
      hits.push(metric(await scrape(), "mmgpt_image_feature_cache_hits_total"));
    }
    const text = await scrape();
    const usage = done.map((d) => d.usage);
    const completion = usage.reduce((n, u) => n + u.completion_tokens, 0);
    const prompt = usage.reduce((n, u) => n + u.prompt_tokens, 0);
    const cached = usage.reduce((n, u) => n + u.cached_tokens, 0);
    expect(usage[1].cached_tokens).toBeGreaterThan(0);
    expect(metric(text, "mmgpt_requests_total")).toBe(2);
    expect(metric(text, "mmgpt_requests_completed_total")).toBe(2);
    expect(metric(text, "mmgpt_prefill_tokens_total")).toBe(prompt - cached);
    expect(metric(text, "mmgpt_prefix_reused_tokens_total")).toBe(cached);
    expect(metric(text, "mmgpt_prefix_cache_hit_ratio")).toBeCloseTo(cached / prompt, 10);
    // The first token of each reply comes from its prefill, every later one from a decode step.
    expect(metric(text, "mmgpt_generated_tokens_total")).toBe(completion - 2);
    expect(metric(text, 'mmgpt_decode_batch_size_steps{size="1"}')).toBe(completion - 2);
    expect(metric(text, "mmgpt_batch_size")).toBe(1);
    expect(metric(text, "mmgpt_time_to_first_token_seconds_count")).toBe(2);
    expect(metric(text, 'mmgpt_time_to_first_token_seconds_bucket{le="+Inf"}')).toBe(2);
    expect(metric(text, "mmgpt_queue_depth")).toBe(0);
    // The image was encoded once; the second request took its features from the cache.
    expect(metric(text, "mmgpt_vision_runs_total")).toBe(1);
    expect(hits).toEqual([0, 1]); // the first request's encoding is a miss, not a hit
    expect(metric(text, "mmgpt_tokens_per_second")).toBeGreaterThan(0);
  });
});
