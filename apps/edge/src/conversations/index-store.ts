// The per-account conversation index in D1: ownership checks and listing without waking a
// Durable Object. Counters and metadata are refreshed after each change (the DO stays authoritative).
import type { Conversation, Metadata } from "@mmgpt/schema";
import { type PageQuery, selectPage } from "../http/pagination";

export interface ConversationRow {
  id: string;
  account_id: string;
  model: string;
  system: string | null;
  metadata: string;
  message_count: number;
  last_message_at: number | null;
  created_at: number;
}

export function toConversation(row: Omit<ConversationRow, "metadata"> & { metadata: string | Metadata }): Conversation {
  return {
    id: row.id,
    object: "conversation",
    created_at: row.created_at,
    model: row.model,
    system: row.system,
    metadata: typeof row.metadata === "string" ? JSON.parse(row.metadata) : row.metadata,
    message_count: row.message_count,
    last_message_at: row.last_message_at,
  };
}

export async function insertConversation(db: D1Database, row: ConversationRow): Promise<void> {
  await db
    .prepare(
      `INSERT INTO conversations (id, account_id, model, system, metadata, message_count, last_message_at, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .bind(
      row.id,
      row.account_id,
      row.model,
      row.system,
      row.metadata,
      row.message_count,
      row.last_message_at,
      row.created_at,
    )
    .run();
}

/** The caller's conversation, or null: another account's id is indistinguishable from none. */
export async function findConversation(db: D1Database, accountId: string, id: string): Promise<ConversationRow | null> {
  return db
    .prepare("SELECT * FROM conversations WHERE id = ? AND account_id = ?")
    .bind(id, accountId)
    .first<ConversationRow>();
}

export async function listConversations(
  db: D1Database,
  accountId: string,
  query: PageQuery,
): Promise<ConversationRow[]> {
  return selectPage<ConversationRow>(db, "conversations", "*", { account_id: accountId }, query);
}

export async function updateCounters(
  db: D1Database,
  id: string,
  counters: { message_count: number; last_message_at: number | null },
): Promise<void> {
  await db
    .prepare("UPDATE conversations SET message_count = ?, last_message_at = ? WHERE id = ?")
    .bind(counters.message_count, counters.last_message_at, id)
    .run();
}

export async function updateMetadata(db: D1Database, id: string, metadata: Metadata): Promise<void> {
  await db.prepare("UPDATE conversations SET metadata = ? WHERE id = ?").bind(JSON.stringify(metadata), id).run();
}

export async function deleteConversationRow(db: D1Database, id: string): Promise<void> {
  await db.prepare("DELETE FROM conversations WHERE id = ?").bind(id).run();
}
