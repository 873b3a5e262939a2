// One Durable Object per account: its share of the batch queue. The queue is first in, first out
// across accounts, so it holds at most `limit` lines of one account (queued, waiting for a retry
// or running); the account's other lines wait here and go out one per finished line, round-robin
// between its batches. Another account's line is thus never behind more than `limit` lines of
// each busy account, however many lines they submitted.
import { DurableObject } from "cloudflare:workers";
import type { Bindings } from "../env";
import type { BatchMessage } from "./messages";

/**
 * How long a line counts as on the queue without word from a consumer. Longer than a message
 * can live (12 deliveries with backoff up to 5 min and runner calls), so only a lost message
 * (dropped after max_retries, a send that failed) reaches it: the alarm sends the line again,
 * and the BatchDO ignores a second message for a line it has.
 */
export const SLOT_LEASE_MS = 90 * 60_000;

const SCHEMA = [
  // A batch of the account with lines here or on the queue; `turn` orders the round-robin.
  "CREATE TABLE IF NOT EXISTS batches (batch_id TEXT PRIMARY KEY, turn INTEGER NOT NULL)",
  "CREATE TABLE IF NOT EXISTS waiting (batch_id TEXT NOT NULL, line INTEGER NOT NULL, PRIMARY KEY (batch_id, line))",
  `CREATE TABLE IF NOT EXISTS queued (batch_id TEXT NOT NULL, line INTEGER NOT NULL, until_ms INTEGER NOT NULL,
    PRIMARY KEY (batch_id, line))`,
];

export class BatchDispatchDO extends DurableObject<Bindings> {
  constructor(ctx: DurableObjectState, env: Bindings) {
    super(ctx, env);
    for (const statement of SCHEMA) ctx.storage.sql.exec(statement);
  }

  private get sql() {
    return this.ctx.storage.sql;
  }

  /** Takes a new batch's lines; returns those to send now (the caller sends them). */
  async add(accountId: string, batchId: string, lines: number[], limit: number): Promise<BatchMessage[]> {
    this.ctx.storage.transactionSync(() => {
      this.sql.exec("INSERT OR IGNORE INTO batches (batch_id, turn) VALUES (?, ?)", batchId, this.nextTurn());
      for (const line of lines)
        this.sql.exec("INSERT OR IGNORE INTO waiting (batch_id, line) VALUES (?, ?)", batchId, line);
    });
    return this.release(accountId, limit);
  }

  /**
   * A consumer is done with a line (its result is recorded, or its batch stopped: then the
   * batch's waiting lines are dropped). Returns the lines to send in its place. A second report
   * for the same line changes nothing.
   */
  async done(
    accountId: string,
    batchId: string,
    line: number,
    stopped: boolean,
    limit: number,
  ): Promise<BatchMessage[]> {
    if (stopped) return this.drop(accountId, batchId, limit);
    this.sql.exec("DELETE FROM queued WHERE batch_id = ? AND line = ?", batchId, line);
    this.forgetIfEmpty(batchId);
    return this.release(accountId, limit);
  }

  /**
   * Forgets a batch that stopped (cancelled, or its first lines could not be queued): its waiting
   * lines are dropped and its places on the queue go to the account's other batches. A message
   * of it still on the queue finds the batch stopped and costs no runner call.
   */
  async drop(accountId: string, batchId: string, limit: number): Promise<BatchMessage[]> {
    this.sql.exec("DELETE FROM waiting WHERE batch_id = ?", batchId);
    this.sql.exec("DELETE FROM queued WHERE batch_id = ?", batchId);
    this.forgetIfEmpty(batchId);
    return this.release(accountId, limit);
  }

  /** Lines the dispatcher counts as on the queue, and lines waiting here (for tests and logs). */
  counts(): { queued: number; waiting: number } {
    return this.sql
      .exec<{ queued: number; waiting: number }>(
        "SELECT (SELECT COUNT(*) FROM queued) AS queued, (SELECT COUNT(*) FROM waiting) AS waiting",
      )
      .one();
  }

  /** Lost messages: their lines go out again (the worker is not involved, so the DO sends). */
  override async alarm(): Promise<void> {
    const lost = this.reclaim();
    if (lost.length) await this.env.BATCH_QUEUE.sendBatch(lost.map((body) => ({ body })));
    await this.arm();
  }

  /** Lines whose lease ran out, leased again; the alarm's work, callable by tests. */
  reclaim(): BatchMessage[] {
    const now = Date.now();
    const accountId = this.accountId();
    const lost = this.sql
      .exec<{ batch_id: string; line: number }>("SELECT batch_id, line FROM queued WHERE until_ms <= ?", now)
      .toArray();
    this.sql.exec("UPDATE queued SET until_ms = ? WHERE until_ms <= ?", now + SLOT_LEASE_MS, now);
    return lost.map((r) => ({ account_id: accountId, batch_id: r.batch_id, line: r.line }));
  }

  /**
   * Fills the account's free places on the queue: each goes to the batch with the fewest lines
   * queued, the one served longest ago first, and within it to the lowest line.
   */
  private async release(accountId: string, limit: number): Promise<BatchMessage[]> {
    this.ctx.storage.kv.put("account_id", accountId);
    const out: BatchMessage[] = [];
    let free = limit - this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM queued").one().n;
    for (; free > 0; free--) {
      const next = this.sql
        .exec<{ batch_id: string; line: number }>(
          `SELECT b.batch_id, (SELECT MIN(line) FROM waiting w WHERE w.batch_id = b.batch_id) AS line
           FROM batches b WHERE EXISTS (SELECT 1 FROM waiting w WHERE w.batch_id = b.batch_id)
           ORDER BY (SELECT COUNT(*) FROM queued q WHERE q.batch_id = b.batch_id), b.turn LIMIT 1`,
        )
        .toArray()[0];
      if (!next) break;
      this.sql.exec("DELETE FROM waiting WHERE batch_id = ? AND line = ?", next.batch_id, next.line);
      this.sql.exec(
        "INSERT OR REPLACE INTO queued (batch_id, line, until_ms) VALUES (?, ?, ?)",
        next.batch_id,
        next.line,
        Date.now() + SLOT_LEASE_MS,
      );
      this.sql.exec("UPDATE batches SET turn = ? WHERE batch_id = ?", this.nextTurn(), next.batch_id);
      out.push({ account_id: accountId, batch_id: next.batch_id, line: next.line });
    }
    await this.arm();
    return out;
  }

  private forgetIfEmpty(batchId: string): void {
    this.sql.exec(
      `DELETE FROM batches WHERE batch_id = ?
         AND NOT EXISTS (SELECT 1 FROM waiting WHERE batch_id = ?) AND NOT EXISTS (SELECT 1 FROM queued WHERE batch_id = ?)`,
      batchId,
      batchId,
      batchId,
    );
  }

  private nextTurn(): number {
    const turn = (this.ctx.storage.kv.get<number>("turn") ?? 0) + 1;
    this.ctx.storage.kv.put("turn", turn);
    return turn;
  }

  private accountId(): string {
    return this.ctx.storage.kv.get<string>("account_id") ?? "";
  }

  /** The alarm follows the earliest lease; none when nothing is on the queue. */
  private async arm(): Promise<void> {
    const { until } = this.sql.exec<{ until: number | null }>("SELECT MIN(until_ms) AS until FROM queued").one();
    if (until === null) await this.ctx.storage.deleteAlarm();
    else if ((await this.ctx.storage.getAlarm()) !== until) await this.ctx.storage.setAlarm(until);
  }
}
