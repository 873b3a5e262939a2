// Middleware factory: per-API-key rate limit through RateLimiterDO (one per key id). Sets the x-ratelimit-*
// headers on every response (errors included), ours and OpenAI's `-requests` names (reset as a
// duration), and answers 429 + Retry-After when empty. Also the account's token charge, whose
// OpenAI `-tokens` headers go on the response of every charged generation (runner/context.ts).
import type { MiddlewareHandler } from "hono";
import { edgeConfig } from "../config";
import type { AppEnv, Bindings } from "../env";
import { ApiError } from "../errors/api-error";
import type { TakeResult } from "./token-bucket";

/** Takes one token from the bucket of API key `keyId`. */
export function takeToken(env: Bindings, keyId: string): Promise<TakeResult> {
  return env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName(keyId)).take(edgeConfig(env).rateLimit);
}

/**
 * Charges a generation's cost (generation-cost.ts) to its account's token bucket, or throws
 * 429 rate_limit_exceeded: an account's share of the runners goes by the tokens it asks for,
 * not its request count, and is the same across its keys. `report` sees the bucket either way
 * (before the 429 is thrown), for the response's token headers.
 */
export async function chargeTokens(
  env: Bindings,
  accountId: string,
  cost: number,
  report?: (result: TakeResult) => void,
): Promise<void> {
  const bucket = env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName(`tokens:${accountId}`));
  const result = await bucket.take(edgeConfig(env).tokenLimit, cost);
  report?.(result);
  if (!result.allowed) {
    throw new ApiError(
      "rate_limit_exceeded",
      `Token rate limit exceeded: this request may use ${cost} tokens and ${result.remaining} remain; retry in ${result.retryAfterSeconds} s.`,
      { retryAfter: result.retryAfterSeconds },
    );
  }
}

/**
 * Milliseconds as OpenAI writes a reset time (Go's duration format): `0s`, `120ms`, `1.5s`,
 * `6m0s`, `1m30.25s`, `2h0m5s`.
 */
export function durationText(ms: number): string {
  const total = Math.max(0, Math.ceil(ms));
  if (total === 0) return "0s";
  if (total < 1000) return `${total}ms`;
  const [h, m] = [Math.floor(total / 3_600_000), Math.floor((total % 3_600_000) / 60_000)];
  // Seconds with up to three decimals, trailing zeros dropped: 1500 ms → "1.5".
  const s = String((total % 60_000) / 1000);
  if (h) return `${h}h${m}m${s}s`;
  return m ? `${m}m${s}s` : `${s}s`;
}

/** Whole seconds as OpenAI writes a reset time: `0s`, `6s`, `1m30s`, `2h0m5s`. */
export function resetDuration(seconds: number): string {
  return durationText(Math.max(0, Math.ceil(seconds)) * 1000);
}

/**
 * OpenAI's token headers, from the account's token bucket as a generation's charge left it:
 * its size, what remains, and how long until it is full again.
 */
export function tokenHeaders(result: TakeResult): Record<string, string> {
  return {
    "x-ratelimit-limit-tokens": String(result.limit),
    "x-ratelimit-remaining-tokens": String(result.remaining),
    "x-ratelimit-reset-tokens": durationText(result.resetMs),
  };
}

export function rateLimit(): MiddlewareHandler<AppEnv> {
  return async function rateLimitMiddleware(c, next) {
    // requireApiKey may have taken the token already, while D1 was confirming the key.
    const result = await (c.get("rateLimitTake") ?? takeToken(c.env, c.get("principal").keyId));
    c.header("x-ratelimit-limit", String(result.limit));
    c.header("x-ratelimit-remaining", String(result.remaining));
    c.header("x-ratelimit-reset", String(result.resetSeconds));
    c.header("x-ratelimit-limit-requests", String(result.limit));
    c.header("x-ratelimit-remaining-requests", String(result.remaining));
    c.header("x-ratelimit-reset-requests", resetDuration(result.resetSeconds));
    if (!result.allowed) {
      throw new ApiError("rate_limit_exceeded", `Rate limit exceeded; retry in ${result.retryAfterSeconds} s.`, {
        retryAfter: result.retryAfterSeconds,
      });
    }
    await next();
  };
}
