// Middleware factory: per-API-key rate limit through RateLimiterDO (one per key id). Sets the x-ratelimit-*
// headers on every response (errors included), ours and OpenAI's `-requests` names (reset as a
// duration), and answers 429 + Retry-After when empty.
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
 * not its request count, and is the same across its keys.
 */
export async function chargeTokens(env: Bindings, accountId: string, cost: number): Promise<void> {
  const bucket = env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName(`tokens:${accountId}`));
  const result = await bucket.take(edgeConfig(env).tokenLimit, cost);
  if (!result.allowed) {
    throw new ApiError(
      "rate_limit_exceeded",
      `Token rate limit exceeded: this request may use ${cost} tokens and ${result.remaining} remain; retry in ${result.retryAfterSeconds} s.`,
      { retryAfter: result.retryAfterSeconds },
    );
  }
}

/** Seconds as OpenAI writes a reset time: `0s`, `6s`, `1m30s`, `2h0m5s`. */
export function resetDuration(seconds: number): string {
  const s = Math.max(0, Math.ceil(seconds));
  const [h, m, rest] = [Math.floor(s / 3600), Math.floor((s % 3600) / 60), s % 60];
  if (h) return `${h}h${m}m${rest}s`;
  return m ? `${m}m${rest}s` : `${rest}s`;
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
