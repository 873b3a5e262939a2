// Middleware factory: `Idempotency-Key` on POSTs. The first request's final JSON answer is
// stored in D1 and replayed for 24 h to retries with the same key and request (request-digest.ts:
// a multipart body counts by its fields, so a new boundary is the same request); the same key
// with another request, or while the first is still running, is 409 idempotency_conflict.
// Not stored, so a retry runs again: 5xx, transient answers (busy, rate limited, an image host
// that failed) and event streams. Secrets a response shows once are never stored: the replay
// has them as null (withholdOnReplay). A key in progress is a lease its request renews; when
// that request dies, a retry may take the key over once the lease lapses.
import type { Context, MiddlewareHandler } from "hono";
import { edgeConfig } from "../config";
import type { AppEnv, Principal } from "../env";
import { ApiError } from "../errors/api-error";
import { unixSeconds } from "./ids";
import { requestDigest } from "./request-digest";

const WINDOW_SECONDS = 24 * 3600;
/** Larger answers are not kept (D1 rows stay small); a retry then runs again. */
const MAX_STORED_BYTES = 256 * 1024;
/** Answers about a moment, not about the request: a retry must run again. */
const TRANSIENT_STATUSES = new Set([408, 409, 425, 429]);
const TRANSIENT_CODES = new Set(["image_fetch_failed", "runner_timeout", "runner_unavailable"]);

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

/**
 * Whose keys these are. Namespaced, so no account id (any 1-64 characters of A-Z a-z 0-9 _ -,
 * "admin" included) can share the admin API's keys and read its stored answers.
 */
export function idempotencyScope(principal: Principal | undefined): string {
  return principal ? `account:${principal.accountId}` : "admin:";
}

/** Marks top-level fields of this request's answer as secrets shown once: stored as null. */
export function withholdOnReplay(c: Context<AppEnv>, ...fields: string[]): void {
  c.set("withheldFields", fields);
}

function isTransient(status: number, text: string): boolean {
  if (status >= 500 || TRANSIENT_STATUSES.has(status)) return true;
  if (status < 400) return false;
  try {
    return TRANSIENT_CODES.has((JSON.parse(text) as { error?: { code?: string } }).error?.code ?? "");
  } catch {
    return false;
  }
}

function withhold(text: string, fields: string[] | undefined): string {
  if (!fields?.length) return text;
  const body = JSON.parse(text) as Record<string, unknown>;
  for (const field of fields) if (field in body) body[field] = null;
  return JSON.stringify(body);
}

export function idempotency(): MiddlewareHandler<AppEnv> {
  return async function idempotencyMiddleware(c, next) {
    const key = c.req.header("idempotency-key");
    if (c.req.method !== "POST" || !key) return next();
    if (key.length > 255)
      throw new ApiError("invalid_request_error", "Idempotency-Key is too long.", { param: "idempotency-key" });
    const db = c.env.DB;
    const scope = idempotencyScope(c.get("principal"));
    // Bounded by the app\'s body limit (http/body-limit.ts), mounted before this.
    const body = new Uint8Array(await c.req.arrayBuffer()); // Hono caches it for the validators
    const hash = await requestDigest(c.req.method, c.req.path, c.req.header("content-type"), body);
    const now = unixSeconds();
    const leaseMs = edgeConfig(c.env).idempotencyLeaseMs;
    const holder = crypto.randomUUID();

    // Claims the key: new, past the window, or in progress under a lapsed lease (holder died).
    const claimed = await db
      .prepare(
        `INSERT INTO idempotency_keys (scope, key, request_hash, created_at, holder, locked_until)
         VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (scope, key) DO UPDATE SET request_hash = excluded.request_hash, status = NULL,
           content_type = NULL, body = NULL, created_at = excluded.created_at, holder = excluded.holder,
           locked_until = excluded.locked_until
         WHERE idempotency_keys.created_at < ?
           OR (idempotency_keys.status IS NULL AND COALESCE(idempotency_keys.locked_until, 0) < ?)`,
      )
      .bind(scope, key, hash, now, holder, Date.now() + leaseMs, now - WINDOW_SECONDS, Date.now())
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

    const mine = "WHERE scope = ? AND key = ? AND holder = ?";
    const renewals = setInterval(
      () => {
        db.prepare(`UPDATE idempotency_keys SET locked_until = ? ${mine} AND status IS NULL`)
          .bind(Date.now() + leaseMs, scope, key, holder)
          .run()
          .catch(() => {}); // the next tick retries; two come before the lease runs out
      },
      Math.max(1, Math.floor(leaseMs / 3)),
    );
    let kept = false;
    try {
      await next();
      const type = c.res.headers.get("content-type") ?? "";
      const text = type.startsWith("application/json") ? await c.res.clone().text() : null;
      if (text !== null && text.length <= MAX_STORED_BYTES && !isTransient(c.res.status, text)) {
        await db
          .prepare(`UPDATE idempotency_keys SET status = ?, content_type = ?, body = ? ${mine}`)
          .bind(c.res.status, type, withhold(text, c.get("withheldFields")), scope, key, holder)
          .run();
        kept = true;
      }
    } finally {
      clearInterval(renewals);
      if (!kept) await db.prepare(`DELETE FROM idempotency_keys ${mine}`).bind(scope, key, holder).run();
    }
  };
}
