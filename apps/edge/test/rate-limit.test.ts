// Per-key token bucket: x-ratelimit-* headers on every authenticated response (errors too),
// 429 + Retry-After when empty, and separate buckets per key.
import { describe, expect, it } from "vitest";
import { Edge } from "./helpers/edge";

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
    }
    expect(remaining).toEqual(["2", "1", "0"]);
    const limited = await edge.fetch("/v1/conversations", { key });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(limited.headers.get("x-ratelimit-remaining")).toBe("0");
    expect(await limited.json()).toMatchObject({ error: { code: "rate_limit_exceeded", type: "rate_limit_error" } });

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
