// One Durable Object per bucket: an API key's requests (named by key id) or an account's model
// tokens (named `tokens:<account>`). A DO serializes the requests of one
// key, so the read-modify-write of the bucket needs no further locking.
//
// The bucket lives in memory and is written to SQLite behind the requests, at most once per
// FLUSH_MS: a storage write on every request held each response until the write was durable
// (the output gate), about 1 ms per request on local disk (bench/edge/overhead.bench.ts). The
// price: if the object is lost between two flushes, its next instance restores the bucket as of
// the last flush, forgetting at most FLUSH_MS of takes.
import { DurableObject } from "cloudflare:workers";
import type { Bindings } from "../env";
import { type BucketConfig, type BucketState, type TakeResult, take } from "./token-bucket";

export const FLUSH_MS = 1000;

/** Runs `run` after `ms`; returns a cancel function. Injected by tests in place of the clock. */
export type Schedule = (run: () => void, ms: number) => () => void;

const timerSchedule: Schedule = (run, ms) => {
  const timer = setTimeout(run, ms);
  return () => clearTimeout(timer);
};

export class RateLimiterDO extends DurableObject<Bindings> {
  private state: BucketState | null = null;
  private cancelFlush: (() => void) | null = null;

  constructor(
    ctx: DurableObjectState,
    env: Bindings,
    private readonly schedule: Schedule = timerSchedule,
  ) {
    super(ctx, env);
    ctx.storage.sql.exec(
      "CREATE TABLE IF NOT EXISTS bucket (id INTEGER PRIMARY KEY CHECK (id = 1), tokens REAL NOT NULL, updated_ms INTEGER NOT NULL)",
    );
    const row = ctx.storage.sql
      .exec<{ tokens: number; updated_ms: number }>("SELECT tokens, updated_ms FROM bucket")
      .toArray()[0];
    if (row) this.state = { tokens: row.tokens, updatedMs: row.updated_ms };
  }

  /** Takes `cost` tokens (a request: 1); the config travels with each call so a changed var applies at once. */
  take(config: BucketConfig, cost = 1): TakeResult {
    const [state, result] = take(this.state, config, Date.now(), cost);
    this.state = state;
    this.cancelFlush ??= this.schedule(() => {
      try {
        this.flush();
      } catch (error) {
        // The bucket stays in memory and the next take schedules another try.
        console.error("rate limiter: writing the bucket failed", error);
      }
    }, FLUSH_MS);
    return result;
  }

  /** Writes the in-memory bucket to storage now (the timer's job; tests call it directly). */
  flush(): void {
    this.cancelFlush?.();
    this.cancelFlush = null;
    if (!this.state) return;
    this.ctx.storage.sql.exec(
      "INSERT INTO bucket (id, tokens, updated_ms) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET tokens = excluded.tokens, updated_ms = excluded.updated_ms",
      this.state.tokens,
      this.state.updatedMs,
    );
  }
}
