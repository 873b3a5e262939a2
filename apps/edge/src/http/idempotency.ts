// Middleware factory: `Idempotency-Key` on POSTs. The first request's JSON response (2xx or
// 4xx) is stored in D1 and replayed for 24 h to retries with the same key and body; the same
// key with another body, or while the first is still running, is 409 idempotency_conflict.
// Not replayable, so not stored: 5xx (a retry should run again) and event streams.
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../env";
import { ApiError } from "../errors/api-error";
import { sha256Hex } from "../images";
import { unixSeconds } from "./ids";

const WINDOW_SECONDS = 24 * 3600;
/** Larger answers are not kept (D1 rows stay small); a retry then runs again. */
const MAX_STORED_BYTES = 256 * 1024;
/** Bodies above the largest upload are not hashed (the route refuses them anyway). */
const MAX_HASHED_BYTES = 51 * 1024 * 1024;

interface Row {
  request_hash: string;
  status: number | null;
  content_type: string | null;
  body: string | null;
  created_at: number;
}

/** Deletes records past the replay window (run from the cron trigger). */
export async function pruneIdempotencyKeys(db: D1Database, now = unixSeconds()): Promise<number> {
  const result = await db
    .prepare("DELETE FROM idempotency_keys WHERE created_at < ?")
    .bind(now - WINDOW_SECONDS)
    .run();
  return result.meta.changes;
}

export function idempotency(): MiddlewareHandler<AppEnv> {
  return async function idempotencyMiddleware(c, next) {
    const key = c.req.header("idempotency-key");
    if (c.req.method !== "POST" || !key) return next();
    if (key.length > 255)
      throw new ApiError("invalid_request_error", "Idempotency-Key is too long.", { param: "idempotency-key" });
    const db = c.env.DB;
    const scope = c.get("principal")?.accountId ?? "admin";
    // Oversized bodies are left to the routes' body limits, unread.
    if (Number(c.req.header("content-length")) > MAX_HASHED_BYTES) return next();
    const body = new Uint8Array(await c.req.arrayBuffer()); // Hono caches it for the validators
    const prefix = new TextEncoder().encode(`${c.req.method} ${c.req.path}\n`);
    const message = new Uint8Array(prefix.length + body.length);
    message.set(prefix);
    message.set(body, prefix.length);
    const hash = await sha256Hex(message);
    const now = unixSeconds();

    const claimed = await db
      .prepare(
        `INSERT INTO idempotency_keys (scope, key, request_hash, created_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (scope, key) DO UPDATE SET request_hash = excluded.request_hash, status = NULL,
           content_type = NULL, body = NULL, created_at = excluded.created_at
         WHERE idempotency_keys.created_at < ?`,
      )
      .bind(scope, key, hash, now, now - WINDOW_SECONDS)
      .run();
    if (claimed.meta.changes === 0) {
      const row = await db
        .prepare("SELECT * FROM idempotency_keys WHERE scope = ? AND key = ?")
        .bind(scope, key)
        .first<Row>();
      if (!row || row.request_hash !== hash) {
        throw new ApiError("idempotency_conflict", "This Idempotency-Key was used with a different request.");
      }
      if (row.status === null) {
        throw new ApiError("idempotency_conflict", "A request with this Idempotency-Key is still in progress.");
      }
      c.header("idempotent-replayed", "true");
      return c.body(row.body ?? "", row.status as 200, { "content-type": row.content_type ?? "application/json" });
    }

    await next();
    const type = c.res.headers.get("content-type") ?? "";
    const text = c.res.status < 500 && type.startsWith("application/json") ? await c.res.clone().text() : null;
    if (text === null || text.length > MAX_STORED_BYTES) {
      await db.prepare("DELETE FROM idempotency_keys WHERE scope = ? AND key = ?").bind(scope, key).run();
      return;
    }
    await db
      .prepare("UPDATE idempotency_keys SET status = ?, content_type = ?, body = ? WHERE scope = ? AND key = ?")
      .bind(c.res.status, type, text, scope, key)
      .run();
  };
}
