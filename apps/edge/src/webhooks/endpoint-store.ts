// Webhook endpoints in D1, always scoped by account (another account's id reads as absent),
// and the public shape: the contract's WebhookEndpoint, whose `status`, `disabled_reason` and
// `deliveries` (the latest attempts, generic: no status code) show delivery health.
import type { WebhookDelivery, WebhookEndpoint, WebhookEventType } from "@mmgpt/schema";
import { type PageQuery, selectPage } from "../http/pagination";

export interface EndpointRow {
  id: string;
  account_id: string;
  url: string;
  events: string;
  description: string | null;
  secret: string;
  created_at: number;
  disabled_at: number | null;
  disabled_reason: string | null;
}

export const RECENT_DELIVERIES = 5;

export function toEndpoint(row: EndpointRow, deliveries: WebhookDelivery[]): WebhookEndpoint {
  return {
    id: row.id,
    object: "webhook_endpoint",
    url: row.url,
    events: JSON.parse(row.events),
    description: row.description,
    created_at: row.created_at,
    status: row.disabled_at === null ? "enabled" : "disabled",
    disabled_reason: row.disabled_reason,
    deliveries,
  };
}

export async function insertEndpoint(db: D1Database, row: EndpointRow): Promise<void> {
  await db
    .prepare(
      `INSERT INTO webhook_endpoints (id, account_id, url, events, description, secret, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    )
    .bind(row.id, row.account_id, row.url, row.events, row.description, row.secret, row.created_at)
    .run();
}

export async function countEndpoints(db: D1Database, accountId: string): Promise<number> {
  const row = await db
    .prepare("SELECT COUNT(*) AS n FROM webhook_endpoints WHERE account_id = ?")
    .bind(accountId)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

export async function listEndpoints(db: D1Database, accountId: string, query: PageQuery): Promise<EndpointRow[]> {
  return selectPage<EndpointRow>(db, "webhook_endpoints", "*", { account_id: accountId }, query);
}

/** The latest deliveries of each endpoint, newest first. */
export async function recentDeliveries(db: D1Database, endpointIds: string[]): Promise<Map<string, WebhookDelivery[]>> {
  const out = new Map<string, WebhookDelivery[]>(endpointIds.map((id) => [id, []]));
  if (endpointIds.length === 0) return out;
  const { results } = await db
    .prepare(
      `SELECT * FROM (
         SELECT d.*, e.type AS event_type,
           ROW_NUMBER() OVER (PARTITION BY d.endpoint_id ORDER BY d.created_at DESC, d.id DESC) AS n
         FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id
         WHERE d.endpoint_id IN (${endpointIds.map(() => "?").join(",")}))
       WHERE n <= ? ORDER BY endpoint_id, n`,
    )
    .bind(...endpointIds, RECENT_DELIVERIES)
    .all<WebhookDelivery & { endpoint_id: string }>();
  for (const r of results) {
    out.get(r.endpoint_id)?.push({
      id: r.id,
      event_id: r.event_id,
      event_type: r.event_type,
      status: r.status,
      attempts: r.attempts,
      last_attempt_at: r.last_attempt_at,
      last_error: r.last_error,
      next_attempt_at: r.status === "pending" ? r.next_attempt_at : null,
      delivered_at: r.delivered_at,
    });
  }
  return out;
}

/** Ids of the account's enabled endpoints subscribed to `type`. */
export async function subscribedEndpoints(
  db: D1Database,
  accountId: string,
  type: WebhookEventType,
): Promise<string[]> {
  const { results } = await db
    .prepare(
      `SELECT id FROM webhook_endpoints WHERE account_id = ? AND disabled_at IS NULL
         AND EXISTS (SELECT 1 FROM json_each(events) WHERE value = ?)`,
    )
    .bind(accountId, type)
    .all<{ id: string }>();
  return results.map((r) => r.id);
}

/** Deletes the endpoint and its delivery records; false when the account has no such endpoint. */
export async function deleteEndpoint(db: D1Database, accountId: string, id: string): Promise<boolean> {
  const [deleted] = await db.batch([
    db.prepare("DELETE FROM webhook_endpoints WHERE id = ? AND account_id = ?").bind(id, accountId),
    db
      .prepare(
        "DELETE FROM webhook_deliveries WHERE endpoint_id = ? AND NOT EXISTS (SELECT 1 FROM webhook_endpoints WHERE id = ?)",
      )
      .bind(id, id),
  ]);
  return (deleted?.meta.changes ?? 0) > 0;
}
