// Emits a batch event into the webhook outbox: the event (with the exact body every attempt
// sends) and one pending delivery per subscribed, enabled endpoint of the account, then a queue
// message per pending delivery. Idempotent: emitting the same event twice adds no row, and a
// second message for a delivery is a no-op for the consumer.
import type { WebhookEvent } from "@mmgpt/schema";
import type { Bindings } from "../env";
import { newId, unixSeconds } from "../http/ids";
import { subscribedEndpoints } from "./endpoint-store";

export const DELIVERY_ID_PREFIX = "whd_";

export async function emitEvent(
  env: Pick<Bindings, "DB" | "WEBHOOK_QUEUE">,
  accountId: string,
  event: WebhookEvent,
): Promise<number> {
  const now = unixSeconds();
  const endpoints = await subscribedEndpoints(env.DB, accountId, event.type);
  await env.DB.batch([
    env.DB.prepare(
      "INSERT OR IGNORE INTO webhook_events (id, account_id, type, payload, created_at) VALUES (?, ?, ?, ?, ?)",
    ).bind(event.id, accountId, event.type, JSON.stringify(event), now),
    ...endpoints.map((endpointId) =>
      env.DB.prepare(
        `INSERT OR IGNORE INTO webhook_deliveries (id, event_id, endpoint_id, status, next_attempt_at, created_at)
         VALUES (?, ?, ?, 'pending', ?, ?)`,
      ).bind(newId(DELIVERY_ID_PREFIX), event.id, endpointId, now, now),
    ),
  ]);
  const { results } = await env.DB.prepare(
    "SELECT id FROM webhook_deliveries WHERE event_id = ? AND status = 'pending'",
  )
    .bind(event.id)
    .all<{ id: string }>();
  if (results.length) await env.WEBHOOK_QUEUE.sendBatch(results.map((r) => ({ body: { delivery_id: r.id } })));
  return results.length;
}

/**
 * Re-enqueues pending deliveries whose message is overdue by `graceSeconds` (a message lost
 * between the outbox write and the queue, or dropped by the queue). Run by the hourly cron.
 */
export async function requeueStaleDeliveries(
  env: Pick<Bindings, "DB" | "WEBHOOK_QUEUE">,
  now = unixSeconds(),
  graceSeconds = 15 * 60,
): Promise<number> {
  const { results } = await env.DB.prepare(
    "SELECT id FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at < ? LIMIT 500",
  )
    .bind(now - graceSeconds)
    .all<{ id: string }>();
  for (let i = 0; i < results.length; i += 100) {
    await env.WEBHOOK_QUEUE.sendBatch(results.slice(i, i + 100).map((r) => ({ body: { delivery_id: r.id } })));
  }
  return results.length;
}

/** Finished deliveries and their events are kept this long (for the endpoint's `deliveries`). */
export const WEBHOOK_HISTORY_SECONDS = 30 * 24 * 3600;

/** Deletes finished deliveries and events past the history window (hourly cron). */
export async function pruneWebhookHistory(db: D1Database, now = unixSeconds()): Promise<void> {
  const before = now - WEBHOOK_HISTORY_SECONDS;
  await db.batch([
    db.prepare("DELETE FROM webhook_deliveries WHERE status != 'pending' AND created_at < ?").bind(before),
    db
      .prepare(
        "DELETE FROM webhook_events WHERE created_at < ? AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = webhook_events.id)",
      )
      .bind(before),
  ]);
}
