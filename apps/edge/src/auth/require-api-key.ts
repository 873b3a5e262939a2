// Middleware factory: authenticates `Authorization: Bearer mmgpt_sk_…` against D1 on every
// request (no cache, so revocation is immediate) and sets the principal for the routes.
import { SECRET_PREFIXES } from "@mmgpt/schema";
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../env";
import { ApiError } from "../errors/api-error";
import { unixSeconds } from "../http/ids";
import { findLiveKey, touchKey } from "./key-store";
import { bearerToken } from "./secrets";

export interface RequireApiKeyOptions {
  /** Seconds between two `last_used_at` writes for one key: keeps D1 writes off the hot path. */
  touchIntervalSeconds?: number;
}

export function requireApiKey(options: RequireApiKeyOptions = {}): MiddlewareHandler<AppEnv> {
  const touchInterval = options.touchIntervalSeconds ?? 60;
  if (!Number.isFinite(touchInterval) || touchInterval < 0) {
    throw new Error("requireApiKey: touchIntervalSeconds must be a non-negative number");
  }
  return async function requireApiKeyMiddleware(c, next) {
    const token = bearerToken(c.req.header("authorization"));
    if (!token) {
      throw new ApiError("authentication_error", "Missing API key: send `Authorization: Bearer mmgpt_sk_…`.");
    }
    // Malformed tokens never reach D1.
    const row = token.startsWith(SECRET_PREFIXES.apiKey) ? await findLiveKey(c.env.DB, token) : null;
    if (!row) throw new ApiError("authentication_error", "Invalid or revoked API key.");
    c.set("principal", { accountId: row.account_id, keyId: row.id });
    const now = unixSeconds();
    if (row.last_used_at === null || now - row.last_used_at >= touchInterval) {
      c.executionCtx.waitUntil(touchKey(c.env.DB, row.id, now).catch(() => {}));
    }
    await next();
  };
}
