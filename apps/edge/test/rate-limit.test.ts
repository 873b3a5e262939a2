// Per-key token bucket: x-ratelimit-* headers on every authenticated response (errors too),
// 429 + Retry-After when empty, separate buckets per key; the bucket's write-behind storage;
// the account's token bucket in OpenAI's x-ratelimit-*-tokens headers on generations.
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { durationText, resetDuration } from "../src/rate-limit/rate-limit";
import { FLUSH_MS, RateLimiterDO } from "../src/rate-limit/rate-limiter-do";
import { chatBody, Edge } from "./helpers/edge";

describe("rate limiting", () => {
  it("counts down, then answers 429 with Retry-After; other keys are unaffected", async () => {
    const edge = new Edge({ env: { RATE_LIMIT_BURST: "3", RATE_LIMIT_PER_MINUTE: "6" } });
    const { key } = await edge.newKey();
    const remaining: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await edge.fetch("/v1/conversations", { key });
      expect(res.status).toBe(200);
      expect(res.headers.get("x-ratelimit-limit")).toBe("3");
      remaining.push(res.headers.get("x-ratelimit-remaining")!);
      expect(Number(res.headers.get("x-ratelimit-reset"))).toBeGreaterThan(0);
      // OpenAI's names beside ours: the same figures, the reset as a duration.
      expect(res.headers.get("x-ratelimit-limit-requests")).toBe("3");
      expect(res.headers.get("x-ratelimit-remaining-requests")).toBe(remaining.at(-1));
      expect(res.headers.get("x-ratelimit-reset-requests")).toBe(`${res.headers.get("x-ratelimit-reset")}s`);
    }
    expect(remaining).toEqual(["2", "1", "0"]);
    const limited = await edge.fetch("/v1/conversations", { key });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(limited.headers.get("x-ratelimit-remaining")).toBe("0");
    expect(limited.headers.get("x-should-retry")).toBe("true");
    expect(await limited.json()).toMatchObject({ error: { code: "rate_limit_exceeded", type: "requests" } });

    const other = await edge.newKey();
    expect((await edge.fetch("/v1/conversations", { key: other.key })).status).toBe(200);
  });

  it("sets the headers on error responses too", async () => {
    const edge = new Edge();
    const { key } = await edge.newKey();
    const res = await edge.fetch("/v1/conversations/conv_missing", { key });
    expect(res.status).toBe(404);
    expect(res.headers.get("x-ratelimit-limit")).toBe("60");
    expect(res.headers.get("x-request-id")).toMatch(/^req_/);
  });
});

describe("the account's token headers (OpenAI's x-ratelimit-*-tokens)", () => {
  it("move as generations spend tokens, on every generating route, and stay on the 429", async () => {
    // 10 tokens a second: the refill between two requests is a token or so.
    const edge = new Edge({ env: { TOKEN_LIMIT_BURST: "4000", TOKEN_LIMIT_PER_MINUTE: "600" } });
    const { key } = await edge.newKey();
    const post = (path: string, json: unknown) => edge.fetch(path, { method: "POST", key, json });
    const conversation = (await (await post("/v1/conversations", {})).json()) as { id: string };
    const seen: Array<{ status: number; limit: string | null; remaining: number; reset: string | null }> = [];
    const record = async (res: Response) => {
      seen.push({
        status: res.status,
        limit: res.headers.get("x-ratelimit-limit-tokens"),
        remaining: Number(res.headers.get("x-ratelimit-remaining-tokens")),
        reset: res.headers.get("x-ratelimit-reset-tokens"),
      });
      await res.text();
    };
    // Costs: prompt characters / 4 (rounded up) + max tokens.
    await record(await post("/v1/chat/completions", chatBody("Hi", { max_tokens: 1000 }))); // 1001
    await record(await post(`/v1/conversations/${conversation.id}/messages`, { content: "Hi", max_tokens: 1000 })); // 1001
    await record(await post("/v1/responses", { model: "mmgpt-tiny", input: "Hi", max_output_tokens: 1000 })); // 1001
    await record(await post("/v1/chat/completions", chatBody("Hi", { max_tokens: 500, stream: true }))); // 501
    await record(await post("/v1/chat/completions", chatBody("Hi", { max_tokens: 900 }))); // more than is left
    expect(seen.map((s) => s.status)).toEqual([200, 200, 200, 200, 429]);
    expect(seen.map((s) => s.limit)).toEqual(Array(5).fill("4000"));
    const spent = [1001, 2002, 3003, 3504, 3504];
    seen.forEach((s, i) => {
      // Spent so far, less the refill since the first charge (well under 100 tokens in this test).
      expect(s.remaining).toBeLessThanOrEqual(4000 - spent[i]! + 100);
      expect(s.remaining).toBeGreaterThanOrEqual(4000 - spent[i]!);
    });
    // Until the bucket is full again, at 10 tokens a second: 1001 tokens are 1m40.1s.
    expect(seen[0]!.reset).toMatch(/^1m40(\.\d+)?s$/);
    for (const s of seen) expect(s.reset).toMatch(/^(\d+h)?(\d+m)?\d+(\.\d{1,3})?s$|^\d+ms$/);
    // 3504 tokens spent, bar the refill: about 5m50s until full.
    expect(seen[4]!.reset).toMatch(/^5m[45]\d/);
  });

  it("are not set where nothing is charged", async () => {
    const edge = new Edge();
    const { key } = await edge.newKey();
    const res = await edge.fetch("/v1/conversations", { key });
    expect(res.headers.get("x-ratelimit-limit-requests")).toBe("60");
    expect(res.headers.get("x-ratelimit-limit-tokens")).toBeNull();
  });
});

describe("resetDuration and durationText", () => {
  it("write seconds as OpenAI does", () => {
    expect([0, 6, 59.2, 90, 3600, 7325].map(resetDuration)).toEqual(["0s", "6s", "1m0s", "1m30s", "1h0m0s", "2h2m5s"]);
  });

  it("write milliseconds in Go's duration format, as OpenAI's token resets are", () => {
    expect([0, 0.4, 120, 999, 1000, 1500, 8640, 360_000, 90_250, 7_325_010].map(durationText)).toEqual([
      "0s",
      "1ms",
      "120ms",
      "999ms",
      "1s",
      "1.5s",
      "8.64s",
      "6m0s",
      "1m30.25s",
      "2h2m5.01s",
    ]);
  });
});

describe("the rate limiter's storage", () => {
  const config = { perSecond: 0.001, burst: 5 };

  it("writes the bucket behind the requests, once per FLUSH_MS, and a new instance restores it", async () => {
    const stub = env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName("key_flush"));
    await runInDurableObject(stub, (_instance, state) => {
      const stored = () => state.storage.sql.exec<{ tokens: number }>("SELECT tokens FROM bucket").toArray();
      // The flush timer, held by the test: it fires when the test says the time has come.
      const timers: { run: () => void; ms: number }[] = [];
      const limiter = new RateLimiterDO(state, env, (run, ms) => {
        timers.push({ run, ms });
        return () => {};
      });
      for (let i = 0; i < 3; i++) limiter.take(config);
      expect(stored()).toEqual([]); // nothing written yet: the flush is behind the requests
      expect(timers.map((t) => t.ms)).toEqual([FLUSH_MS]); // one flush for the three takes
      timers[0].run();
      expect(stored()[0].tokens).toBeCloseTo(2, 2);
      limiter.take(config);
      expect(timers).toHaveLength(2); // the next take schedules the next flush
      // A fresh instance over the same storage (as after eviction) continues from the flushed
      // bucket: the take after the flush is forgotten, as the header comment says.
      expect(new RateLimiterDO(state, env).take(config).remaining).toBe(1);
    });
  });

  it("flush writes the latest state at once", async () => {
    const stub = env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName("key_flush_now"));
    await stub.take(config);
    const tokens = await runInDurableObject(stub, (instance, state) => {
      (instance as RateLimiterDO).flush();
      return state.storage.sql.exec<{ tokens: number }>("SELECT tokens FROM bucket").one().tokens;
    });
    expect(tokens).toBeCloseTo(4, 2);
  });
});
