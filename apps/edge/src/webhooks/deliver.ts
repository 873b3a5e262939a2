// One attempt of one webhook delivery (queue consumer): the stored event body, signed per
// Standard Webhooks with a fresh timestamp and the SAME webhook-id (the event id) every time.
// Only a 2xx acknowledges; 410 Gone disables the endpoint; anything else (other statuses,
// network errors, the 15 s timeout) is retried on the schedule of retry-schedule.ts, then the
// delivery is marked failed. A lease keeps a duplicated message from sending in parallel.
// What the account sees of a failure is generic (the contract's WEBHOOK_DELIVERY_ERRORS).
import { WEBHOOK_DELIVERY_ERRORS, WEBHOOK_HEADERS } from "@mmgpt/schema";
import { edgeConfig } from "../config";
import type { Bindings, Deps } from "../env";
import { unixSeconds } from "../http/ids";
import { checkOutboundUrl } from "../net/address-policy";
import { nextRetryDelay } from "./retry-schedule";
import { openSecret, replaceSealed, sealSecret } from "./secret-box";
import { signWebhook } from "./signature";

export const DELIVERY_TIMEOUT_MS = 15_000;

const LEASE_MS = DELIVERY_TIMEOUT_MS + 15_000;

/**
 * Waits until `atMs` (epoch milliseconds). A failed attempt is recorded DELIVERY_TIMEOUT_MS
 * after its start whatever went wrong, so the moment its record appears in the endpoint list
 * does not tell a refused connection (at once) from a filtered port (the timeout) from an
 * answer. Tests inject one that returns at once.
 */
export type SleepUntil = (atMs: number) => Promise<void>;

const sleepUntil: SleepUntil = (atMs) => new Promise((resolve) => setTimeout(resolve, Math.max(0, atMs - Date.now())));

export type DeliveryOutcome = { kind: "done" } | { kind: "retry"; delaySeconds: number };

interface DeliveryJoin {
  id: string;
  event_id: string;
  status: string;
  attempts: number;
  first_attempt_at: number | null;
  payload: string;
  endpoint_id: string;
  url: string | null;
  secret: string | null;
  disabled_at: number | null;
}

async function fail(db: D1Database, id: string, error: string): Promise<DeliveryOutcome> {
  await db
    .prepare("UPDATE webhook_deliveries SET status = 'failed', last_error = ?, leased_until = NULL WHERE id = ?")
    .bind(error, id)
    .run();
  return { kind: "done" };
}

export async function deliverWebhook(
  env: Bindings,
  deps: Pick<Deps, "webhookFetch" | "sleepUntil">,
  deliveryId: string,
): Promise<DeliveryOutcome> {
  const db = env.DB;
  const now = Date.now();
  const leased = await db
    .prepare(
      `UPDATE webhook_deliveries SET leased_until = ? WHERE id = ? AND status = 'pending'
         AND (leased_until IS NULL OR leased_until < ?)`,
    )
    .bind(now + LEASE_MS, deliveryId, now)
    .run();
  if (leased.meta.changes === 0) {
    const row = await db
      .prepare("SELECT status FROM webhook_deliveries WHERE id = ?")
      .bind(deliveryId)
      .first<{ status: string }>();
    // Another attempt is in flight: look again after its lease.
    return row?.status === "pending" ? { kind: "retry", delaySeconds: Math.ceil(LEASE_MS / 1000) } : { kind: "done" };
  }
  try {
    return await attempt(env, deps, deliveryId, now);
  } catch (error) {
    // Unexpected (D1, crypto): free the lease so the retried message is not held back by it.
    await db.prepare("UPDATE webhook_deliveries SET leased_until = NULL WHERE id = ?").bind(deliveryId).run();
    throw error;
  }
}

async function attempt(
  env: Bindings,
  deps: Pick<Deps, "webhookFetch" | "sleepUntil">,
  deliveryId: string,
  now: number,
): Promise<DeliveryOutcome> {
  const db = env.DB;
  const d = await db
    .prepare(
      `SELECT d.id, d.event_id, d.status, d.attempts, d.first_attempt_at, d.endpoint_id, e.payload,
         ep.url, ep.secret, ep.disabled_at
       FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id
       LEFT JOIN webhook_endpoints ep ON ep.id = d.endpoint_id WHERE d.id = ?`,
    )
    .bind(deliveryId)
    .first<DeliveryJoin>();
  if (!d) return { kind: "done" };
  if (d.url === null || d.secret === null) return fail(db, d.id, WEBHOOK_DELIVERY_ERRORS.deleted);
  if (d.disabled_at !== null) return fail(db, d.id, WEBHOOK_DELIVERY_ERRORS.disabled);
  const config = edgeConfig(env);
  if (!checkOutboundUrl(d.url, { allowLoopback: config.webhooksAllowLoopback }).ok) {
    return fail(db, d.id, WEBHOOK_DELIVERY_ERRORS.refused);
  }

  const timestamp = unixSeconds(now);
  let secret: string;
  try {
    const opened = await openSecret(config.webhookSecretKeys, d.endpoint_id, d.secret);
    secret = opened.secret;
    // Sealed with a previous key: seal it again with the current one, so that key can retire.
    if (opened.stale) {
      const resealed = await sealSecret(config.webhookSecretKeys, d.endpoint_id, secret);
      await replaceSealed(db, d.endpoint_id, d.secret, resealed);
    }
  } catch {
    // Retrying cannot help: no configured key opens it (a key was dropped or replaced).
    return fail(db, d.id, WEBHOOK_DELIVERY_ERRORS.secretLost);
  }
  // The status is kept for the operator (D1), never shown: see WEBHOOK_DELIVERY_ERRORS.
  let status: number | null = null;
  let error: string | null = null;
  try {
    const response = await deps.webhookFetch(d.url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "user-agent": "mmgpt-webhooks/1",
        [WEBHOOK_HEADERS.id]: d.event_id,
        [WEBHOOK_HEADERS.timestamp]: String(timestamp),
        [WEBHOOK_HEADERS.signature]: await signWebhook(secret, d.event_id, timestamp, d.payload),
      },
      body: d.payload,
      redirect: "manual",
      signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
    });
    status = response.status;
    await response.body?.cancel();
    if (status < 200 || status > 299) error = WEBHOOK_DELIVERY_ERRORS.notAcknowledged;
  } catch {
    error = WEBHOOK_DELIVERY_ERRORS.notAcknowledged;
  }
  if (error !== null) await (deps.sleepUntil ?? sleepUntil)(now + DELIVERY_TIMEOUT_MS);

  const attempts = d.attempts + 1;
  const first = d.first_attempt_at ?? timestamp;
  const record = (state: string, next: number | null, delivered: number | null) =>
    db
      .prepare(
        `UPDATE webhook_deliveries SET status = ?, attempts = ?, first_attempt_at = ?, last_attempt_at = ?,
           last_status_code = ?, last_error = ?, next_attempt_at = ?, delivered_at = ?, leased_until = NULL
         WHERE id = ?`,
      )
      .bind(state, attempts, first, timestamp, status, error, next, delivered, d.id);

  if (error === null) {
    await record("delivered", null, timestamp).run();
    return { kind: "done" };
  }
  if (status === 410) {
    await db.batch([
      record("failed", null, null),
      db
        .prepare(
          "UPDATE webhook_endpoints SET disabled_at = ?, disabled_reason = ? WHERE id = ? AND disabled_at IS NULL",
        )
        .bind(timestamp, "The endpoint answered 410 Gone.", d.endpoint_id),
    ]);
    return { kind: "done" };
  }
  const delay = nextRetryDelay(attempts, timestamp - first);
  if (delay === null) {
    await record("failed", null, null).run();
    return { kind: "done" };
  }
  await record("pending", timestamp + delay, null).run();
  return { kind: "retry", delaySeconds: delay };
}
