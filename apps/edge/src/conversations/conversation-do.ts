// One Durable Object per conversation: metadata, its items (messages), and the generation
// lock, all in ctx.storage.sql. A generated turn is written only by `commit`, so a failed or
// cancelled generation leaves the items untouched and only records `last_error`; items added
// or deleted directly (OpenAI's items API) wait for no generation to be running.
import { DurableObject } from "cloudflare:workers";
import type { Metadata } from "@mmgpt/schema";
import type { Bindings } from "../env";
import { type ConversationMeta, type LastError, type MessageRow, type NewMessage, SCHEMA } from "./conversation-sql";

/** What the D1 index mirrors after a change of items. */
export interface Counters {
  message_count: number;
  last_message_at: number | null;
}

/**
 * The generation lock is a lease: `begin` takes it for `leaseMs` (config GENERATION_LEASE_MS)
 * and its holder renews it while the reply is alive (lease.ts). A holder that died stops
 * renewing, so its lock lapses within one lease instead of blocking the conversation.
 */
export interface ConversationSummary extends ConversationMeta {
  message_count: number;
  last_message_at: number | null;
  last_error: LastError | null;
  generating: boolean;
}

export type BeginResult =
  | { ok: true; meta: ConversationMeta; history: MessageRow[] }
  | { ok: false; reason: "missing" | "busy" };

export class ConversationDO extends DurableObject<Bindings> {
  /** Set by destroy(): the tables are gone, and this instance answers as if it never existed. */
  private deleted = false;

  constructor(ctx: DurableObjectState, env: Bindings) {
    super(ctx, env);
    for (const statement of SCHEMA) ctx.storage.sql.exec(statement);
  }

  private get sql() {
    return this.ctx.storage.sql;
  }

  private meta():
    | (ConversationMeta & { pending_id: string | null; pending_until: number | null; last_error: string | null })
    | null {
    if (this.deleted) return null;
    const row = this.sql.exec<Record<string, string | number | null>>("SELECT * FROM conversation").toArray()[0];
    if (!row) return null;
    return {
      id: row.id as string,
      account_id: row.account_id as string,
      model: row.model as string,
      system: row.system as string | null,
      metadata: JSON.parse(row.metadata as string),
      created_at: row.created_at as number,
      pending_id: row.pending_id as string | null,
      pending_until: row.pending_until as number | null,
      last_error: row.last_error as string | null,
    };
  }

  /** Creates the conversation with its initial items (idempotent: a second init changes nothing). */
  init(meta: ConversationMeta, items: NewMessage[] = []): void {
    if (this.deleted) throw new Error("conversation deleted");
    if (this.meta()) return;
    this.ctx.storage.transactionSync(() => {
      this.insertConversation(meta);
      this.insertMessages(items);
    });
  }

  private insertConversation(meta: ConversationMeta): void {
    this.sql.exec(
      "INSERT OR IGNORE INTO conversation (id, account_id, model, system, metadata, created_at) VALUES (?, ?, ?, ?, ?, ?)",
      meta.id,
      meta.account_id,
      meta.model,
      meta.system,
      JSON.stringify(meta.metadata),
      meta.created_at,
    );
  }

  summary(): ConversationSummary | null {
    const meta = this.meta();
    if (!meta) return null;
    const stats = this.sql
      .exec<{ n: number; last: number | null }>("SELECT COUNT(*) AS n, MAX(created_at) AS last FROM messages")
      .one();
    const { pending_id, pending_until, last_error, ...rest } = meta;
    return {
      ...rest,
      message_count: stats.n,
      last_message_at: stats.last,
      last_error: last_error ? JSON.parse(last_error) : null,
      generating: pending_id !== null && (pending_until ?? 0) > Date.now(),
    };
  }

  /** Takes the generation lock and returns the transcript to send to the runner. */
  begin(generationId: string, leaseMs: number): BeginResult {
    const meta = this.meta();
    if (!meta) return { ok: false, reason: "missing" };
    if (meta.pending_id !== null && (meta.pending_until ?? 0) > Date.now()) return { ok: false, reason: "busy" };
    this.sql.exec("UPDATE conversation SET pending_id = ?, pending_until = ?", generationId, Date.now() + leaseMs);
    const { pending_id, pending_until, last_error, ...rest } = meta;
    return {
      ok: true,
      meta: rest,
      history: this.sql.exec<MessageRow>("SELECT * FROM messages ORDER BY seq").toArray(),
    };
  }

  /** Extends the lock of `generationId` by `leaseMs` from now; false when it no longer holds it. */
  renew(generationId: string, leaseMs: number): boolean {
    const meta = this.meta();
    if (meta?.pending_id !== generationId) return false;
    this.sql.exec("UPDATE conversation SET pending_until = ? WHERE pending_id = ?", Date.now() + leaseMs, generationId);
    return true;
  }

  private insertMessages(messages: readonly NewMessage[]): void {
    for (const m of messages) {
      this.sql.exec(
        `INSERT INTO messages (id, role, text, content, model, finish_reason, usage, status, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'completed', ?)`,
        m.id,
        m.role,
        m.text,
        JSON.stringify(m.content),
        m.model,
        m.finish_reason,
        m.usage ? JSON.stringify(m.usage) : null,
        m.created_at,
      );
    }
  }

  private counters(): Counters {
    const stats = this.summary()!;
    return { message_count: stats.message_count, last_message_at: stats.last_message_at };
  }

  /** Appends the user turn and its reply, atomically, if `generationId` still holds the lock. */
  commit(generationId: string, messages: NewMessage[]): Counters | null {
    if (this.meta()?.pending_id !== generationId) return null;
    this.ctx.storage.transactionSync(() => {
      this.insertMessages(messages);
      this.sql.exec("UPDATE conversation SET pending_id = NULL, pending_until = NULL, last_error = NULL");
    });
    return this.counters();
  }

  /** Appends items without a reply (OpenAI's items.create); not while a reply is generated. */
  addItems(messages: NewMessage[]): Counters | "missing" | "busy" {
    const summary = this.summary();
    if (!summary) return "missing";
    if (summary.generating) return "busy";
    this.ctx.storage.transactionSync(() => this.insertMessages(messages));
    return this.counters();
  }

  getItem(id: string): MessageRow | null {
    if (this.deleted) return null;
    return this.sql.exec<MessageRow>("SELECT * FROM messages WHERE id = ?", id).toArray()[0] ?? null;
  }

  /** Deletes one item; not while a reply is generated (its turns were read with the item). */
  deleteItem(id: string): Counters | "missing" | "busy" {
    const summary = this.summary();
    if (!summary || !this.getItem(id)) return "missing";
    if (summary.generating) return "busy";
    this.sql.exec("DELETE FROM messages WHERE id = ?", id);
    return this.counters();
  }

  updateMetadata(metadata: Metadata): ConversationSummary | null {
    if (!this.meta()) return null;
    this.sql.exec("UPDATE conversation SET metadata = ?", JSON.stringify(metadata));
    return this.summary();
  }

  /** Releases the lock; with an error, records it as `last_error` (not part of the context). */
  fail(generationId: string, error: LastError | null): void {
    if (this.meta()?.pending_id !== generationId) return;
    if (error) {
      this.sql.exec(
        "UPDATE conversation SET pending_id = NULL, pending_until = NULL, last_error = ?",
        JSON.stringify(error),
      );
    } else {
      this.sql.exec("UPDATE conversation SET pending_id = NULL, pending_until = NULL");
    }
  }

  listMessages(query: { limit: number; after?: string; order: "asc" | "desc" }): MessageRow[] | null {
    if (this.deleted) return null;
    let afterSeq: number | undefined;
    if (query.after) {
      const row = this.sql.exec<{ seq: number }>("SELECT seq FROM messages WHERE id = ?", query.after).toArray()[0];
      if (!row) return null;
      afterSeq = row.seq;
    }
    const asc = query.order === "asc";
    const where = afterSeq === undefined ? "" : `WHERE seq ${asc ? ">" : "<"} ${afterSeq}`;
    return this.sql
      .exec<MessageRow>(`SELECT * FROM messages ${where} ORDER BY seq ${asc ? "ASC" : "DESC"} LIMIT ?`, query.limit + 1)
      .toArray();
  }

  /** Deletes everything unless a reply is being generated. */
  async destroy(): Promise<"deleted" | "busy"> {
    if (this.summary()?.generating) return "busy";
    this.deleted = true;
    await this.ctx.storage.deleteAll();
    return "deleted";
  }
}
