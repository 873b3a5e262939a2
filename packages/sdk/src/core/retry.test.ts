// The retry policy as pure functions: which statuses retry, Retry-After parsing, backoff bounds.
import { describe, expect, it } from "vitest";
import { MAX_RETRY_DELAY_MS, retryAfterMs, retryDelayMs, shouldRetryStatus } from "./retry";

const headers = (init: Record<string, string>) => new Headers(init);

describe("retry policy", () => {
  it("retries 408, 429 and 5xx, not other 4xx, and honors x-should-retry", () => {
    const none = headers({});
    expect([408, 429, 500, 503].map((s) => shouldRetryStatus(s, none))).toEqual([true, true, true, true]);
    expect([400, 401, 404, 409, 413].map((s) => shouldRetryStatus(s, none))).toEqual([
      false,
      false,
      false,
      false,
      false,
    ]);
    expect(shouldRetryStatus(409, headers({ "x-should-retry": "true" }))).toBe(true);
    expect(shouldRetryStatus(503, headers({ "x-should-retry": "false" }))).toBe(false);
  });

  it("reads Retry-After as seconds or an HTTP date", () => {
    const now = Date.parse("2026-11-27T10:00:00Z");
    expect(retryAfterMs(headers({ "retry-after": "1.5" }), now)).toBe(1500);
    expect(retryAfterMs(headers({ "retry-after": "Fri, 27 Nov 2026 10:00:07 GMT" }), now)).toBe(7000);
    expect(retryAfterMs(headers({ "retry-after": "soon" }), now)).toBeUndefined();
    expect(retryAfterMs(headers({}), now)).toBeUndefined();
  });

  it("backs off 0.5 s doubling to 8 s, with up to 25 % jitter", () => {
    const none = headers({});
    expect([0, 1, 2, 3, 4, 5, 9].map((n) => retryDelayMs(n, none, 0, () => 0))).toEqual([
      500, 1000, 2000, 4000, 8000, 8000, 8000,
    ]);
    expect(retryDelayMs(0, none, 0, () => 1)).toBe(375);
    expect(retryDelayMs(20, none, 0, () => 0.5)).toBeLessThanOrEqual(MAX_RETRY_DELAY_MS);
  });

  it("ignores a negative or over-long Retry-After in favour of the backoff", () => {
    expect(retryDelayMs(0, headers({ "retry-after": "3600" }), 0, () => 0)).toBe(500);
    expect(retryDelayMs(1, headers({ "retry-after-ms": "-5" }), 0, () => 0)).toBe(1000);
    expect(retryDelayMs(1, headers({ "retry-after": "0" }), 0, () => 0)).toBe(0);
  });
});
