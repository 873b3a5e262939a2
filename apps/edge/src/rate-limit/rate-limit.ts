// Middleware factory: per-API-key rate limit through RateLimiterDO (one per key id). Sets the x-ratelimit-*
// headers on every response (errors included) and answers 429 + Retry-After when empty.
import type { MiddlewareHandler } from "hono";
import type { AppEnv, Bindings } from "../env";
import { ApiError } from "../errors/api-error";
import type { BucketConfig, TakeResult } from "./token-bucket";

const DEFAULT_PER_MINUTE = 600;
const DEFAULT_BURST = 60;

function positive(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === "") return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got "${value}"`);
  return n;
}

export function bucketConfig(env: Bindings): BucketConfig {
  return {
    perSecond: positive(env.RATE_LIMIT_PER_MINUTE, DEFAULT_PER_MINUTE, "RATE_LIMIT_PER_MINUTE") / 60,
    burst: Math.floor(positive(env.RATE_LIMIT_BURST, DEFAULT_BURST, "RATE_LIMIT_BURST")),
  };
}

/** Takes one token from the bucket of API key `keyId`. */
export function takeToken(env: Bindings, keyId: string): Promise<TakeResult> {
  return env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName(keyId)).take(bucketConfig(env));
}

export function rateLimit(): MiddlewareHandler<AppEnv> {
  return async function rateLimitMiddleware(c, next) {
    // requireApiKey may have taken the token already, while D1 was confirming the key.
    const result = await (c.get("rateLimitTake") ?? takeToken(c.env, c.get("principal").keyId));
    c.header("x-ratelimit-limit", String(result.limit));
    c.header("x-ratelimit-remaining", String(result.remaining));
    c.header("x-ratelimit-reset", String(result.resetSeconds));
    if (!result.allowed) {
      throw new ApiError("rate_limit_exceeded", `Rate limit exceeded; retry in ${result.retryAfterSeconds} s.`, {
        retryAfter: result.retryAfterSeconds,
      });
    }
    await next();
  };
}
