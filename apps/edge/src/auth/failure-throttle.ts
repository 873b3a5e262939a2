// Failed authentication is throttled per client address (CF-Connecting-IP, set by Cloudflare):
// each failure takes a token from that address's bucket in a RateLimiterDO; once it is empty the
// address gets 429 + Retry-After — before any credential is checked — until the bucket refills,
// so keys and the admin token cannot be guessed at speed, and garbage tokens cost no D1 query.
// The verdict is remembered in this isolate (no DO call on the way in); another isolate learns
// it on that address's next failure there, so each isolate checks at most one more credential.
// Requests without the header (only tests and tools calling the worker directly) are not
// throttled: on Cloudflare every request carries it.
import type { Context } from "hono";
import type { AppEnv } from "../env";
import { ApiError } from "../errors/api-error";
import type { BucketConfig } from "../rate-limit/token-bucket";

/** Failed attempts an address may make at once, then one every 6 s (10 a minute). */
export const AUTH_FAILURES: BucketConfig = { burst: 20, perSecond: 10 / 60 };

/** Address → epoch ms until which it is refused (bounded; oldest entries go first). */
const blockedUntil = new Map<string, number>();
const MAX_BLOCKED = 4096;

function clientAddress(c: Context<AppEnv>): string | null {
  return c.req.header("cf-connecting-ip")?.trim() || null;
}

function throttled(retryAfter: number): ApiError {
  return new ApiError(
    "rate_limit_exceeded",
    `Too many failed authentication attempts from this address; retry in ${retryAfter} s.`,
    { retryAfter },
  );
}

/** Refuses an address still blocked after its failures (call before checking a credential). */
export function refuseIfThrottled(c: Context<AppEnv>): void {
  const address = clientAddress(c);
  const until = address === null ? undefined : blockedUntil.get(address);
  if (until === undefined) return;
  const now = Date.now();
  if (until <= now) {
    blockedUntil.delete(address!);
    return;
  }
  throw throttled(Math.ceil((until - now) / 1000));
}

/**
 * Counts a failed attempt and returns the error to throw: `failure` itself, or a 429 when the
 * address has no failed attempts left.
 */
export async function authFailure(c: Context<AppEnv>, failure: ApiError): Promise<ApiError> {
  const address = clientAddress(c);
  if (address === null) return failure;
  const bucket = c.env.RATE_LIMITER.get(c.env.RATE_LIMITER.idFromName(`auth-failures:${address}`));
  const result = await bucket.take(AUTH_FAILURES);
  if (result.allowed) return failure;
  if (blockedUntil.size >= MAX_BLOCKED) blockedUntil.delete(blockedUntil.keys().next().value as string);
  blockedUntil.set(address, Date.now() + result.retryAfterSeconds * 1000);
  return throttled(result.retryAfterSeconds);
}
