// Middleware factory: per-API-key rate limit through RateLimiterDO (one per key id). Sets the x-ratelimit-*
// headers on every response (errors included) and answers 429 + Retry-After when empty.
import type { MiddlewareHandler } from "hono";
import { edgeConfig } from "../config";
import type { AppEnv, Bindings } from "../env";
import { ApiError } from "../errors/api-error";
import type { TakeResult } from "./token-bucket";

/** Takes one token from the bucket of API key `keyId`. */
export function takeToken(env: Bindings, keyId: string): Promise<TakeResult> {
  return env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName(keyId)).take(edgeConfig(env).rateLimit);
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
