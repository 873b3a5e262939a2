// One Durable Object per API key holding its token bucket in SQLite. A DO serializes the
// requests of one key, so the read-modify-write of the bucket needs no further locking.
import { DurableObject } from "cloudflare:workers";
import type { Bindings } from "../env";
import { type BucketConfig, type BucketState, type TakeResult, take } from "./token-bucket";

export class RateLimiterDO extends DurableObject<Bindings> {
  private state: BucketState | null = null;

  constructor(ctx: DurableObjectState, env: Bindings) {
    super(ctx, env);
    ctx.storage.sql.exec(
      "CREATE TABLE IF NOT EXISTS bucket (id INTEGER PRIMARY KEY CHECK (id = 1), tokens REAL NOT NULL, updated_ms INTEGER NOT NULL)",
    );
    const row = ctx.storage.sql
      .exec<{ tokens: number; updated_ms: number }>("SELECT tokens, updated_ms FROM bucket")
      .toArray()[0];
    if (row) this.state = { tokens: row.tokens, updatedMs: row.updated_ms };
  }

  /** Takes one token; the config travels with each call so a changed var applies at once. */
  take(config: BucketConfig): TakeResult {
    const [state, result] = take(this.state, config, Date.now());
    this.state = state;
    this.ctx.storage.sql.exec(
      "INSERT INTO bucket (id, tokens, updated_ms) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET tokens = excluded.tokens, updated_ms = excluded.updated_ms",
      state.tokens,
      state.updatedMs,
    );
    return result;
  }
}
