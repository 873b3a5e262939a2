// Middleware factory: authenticates `Authorization: Bearer mmgpt_sk_…` against D1 on every
// request (no cache of the verdict, so revocation is immediate) and sets the principal. Failed
// attempts are throttled per client address (failure-throttle.ts).
//
// Latency: the rate-limit token (a Durable Object call) is needed right after the key lookup
// (a D1 query). For a key this isolate has already seen valid, both start together — one
// round trip instead of two. The isolate remembers only hash → key id, which never changes
// for a key; D1 still decides every request, and a revoked key's token is taken from a bucket
// nobody can use any more. Unknown hashes go one after the other, so random tokens create no
// Durable Objects.
import { SECRET_PREFIXES } from "@mmgpt/schema";
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../env";
import { ApiError } from "../errors/api-error";
import { unixSeconds } from "../http/ids";
import { takeToken } from "../rate-limit/rate-limit";
import { authFailure, refuseIfThrottled } from "./failure-throttle";
import { findLiveKey, touchKey } from "./key-store";
import { bearerToken, hashApiKey } from "./secrets";

export interface RequireApiKeyOptions {
  /** Seconds between two `last_used_at` writes for one key: keeps D1 writes off the hot path. */
  touchIntervalSeconds?: number;
}

/** Key hash → key id of keys seen valid in this isolate (bounded; oldest entries go first). */
const knownKeyIds = new Map<string, string>();
const MAX_KNOWN_KEYS = 4096;

function remember(keyHash: string, keyId: string): void {
  if (knownKeyIds.has(keyHash)) return;
  if (knownKeyIds.size >= MAX_KNOWN_KEYS) knownKeyIds.delete(knownKeyIds.keys().next().value as string);
  knownKeyIds.set(keyHash, keyId);
}

export function requireApiKey(options: RequireApiKeyOptions = {}): MiddlewareHandler<AppEnv> {
  const touchInterval = options.touchIntervalSeconds ?? 60;
  if (!Number.isFinite(touchInterval) || touchInterval < 0) {
    throw new Error("requireApiKey: touchIntervalSeconds must be a non-negative number");
  }
  return async function requireApiKeyMiddleware(c, next) {
    refuseIfThrottled(c);
    const token = bearerToken(c.req.header("authorization"));
    if (!token) {
      throw await authFailure(
        c,
        new ApiError("invalid_api_key", "Missing API key: send `Authorization: Bearer mmgpt_sk_…`."),
      );
    }
    // Malformed tokens never reach D1.
    if (!token.startsWith(SECRET_PREFIXES.apiKey))
      throw await authFailure(c, new ApiError("invalid_api_key", "Invalid or revoked API key."));
    const keyHash = await hashApiKey(token);
    const knownId = knownKeyIds.get(keyHash);
    const early = knownId === undefined ? undefined : takeToken(c.env, knownId);
    early?.catch(() => {}); // awaited by rateLimit; a failure must not go unhandled if auth fails first
    const row = await findLiveKey(c.env.DB, keyHash);
    if (!row) throw await authFailure(c, new ApiError("invalid_api_key", "Invalid or revoked API key."));
    remember(keyHash, row.id);
    c.set("principal", { accountId: row.account_id, keyId: row.id });
    if (early && row.id === knownId) c.set("rateLimitTake", early);
    const now = unixSeconds();
    if (row.last_used_at === null || now - row.last_used_at >= touchInterval) {
      c.executionCtx.waitUntil(touchKey(c.env.DB, row.id, now).catch(() => {}));
    }
    await next();
  };
}
