// One Durable Object per batch: its requests, their results (one per line, ever) and the
// lifecycle, in ctx.storage.sql. Workers claim a line (a lease, so duplicates wait), run it and
// record the outcome; the call that completes the batch (or finishes a cancel) seals it and
// finalizes: unfinished lines become error lines, the JSONL files are written, the final status
// and its event are set. The alarm expires the batch after its window and is the safety net
// for a finalization or an event emission that a crashed worker left undone.
import { DurableObject } from "cloudflare:workers";
import type { Batch, BatchOutputLine, WebhookEvent } from "@mmgpt/schema";
import { ID_PREFIXES } from "@mmgpt/schema";
import type { Bindings } from "../env";
import { newId, unixSeconds } from "../http/ids";
import { emitEvent } from "../webhooks/events";
import { type BatchInit, type BatchRow, FINAL_STATUSES, type FinalStatus, SCHEMA, toBatch } from "./batch-sql";
import { writeResultFile } from "./output-files";

/** Time a worker has to finish its finalization or emission before the alarm does it. */
export const FINALIZE_GRACE_MS = 15_000;

export type Claim =
  | { kind: "run"; accountId: string; inputKey: string; customId: string; offset: number; length: number }
  /** Nothing to run: the line has its result, or the batch `stopped` (final, cancelling or unknown). */
  | { kind: "skip"; stopped: boolean }
  | { kind: "busy"; retryAfterSeconds: number };

export interface Finalized {
  batch: Batch;
  accountId: string;
  /** The terminal event, when it still has to be emitted. */
  event: WebhookEvent | null;
}

export class BatchDO extends DurableObject<Bindings> {
  /** The running finalization of this instance: concurrent callers share it. */
  private finalizing: Promise<Finalized> | null = null;

  constructor(ctx: DurableObjectState, env: Bindings) {
    super(ctx, env);
    for (const statement of SCHEMA) ctx.storage.sql.exec(statement);
  }

  private get sql() {
    return this.ctx.storage.sql;
  }

  private row(): BatchRow | null {
    return this.sql.exec<BatchRow>("SELECT * FROM batch").toArray()[0] ?? null;
  }

  private counts() {
    return this.sql
      .exec<{ total: number; completed: number; failed: number }>(
        `SELECT (SELECT COUNT(*) FROM requests) AS total,
           (SELECT COUNT(*) FROM results WHERE ok = 1) AS completed,
           (SELECT COUNT(*) FROM results WHERE ok = 0) AS failed`,
      )
      .one();
  }

  private snapshot(row: BatchRow): Batch {
    return toBatch(row, this.counts());
  }

  /** Stores the batch (status `validating`) and arms the expiry alarm. Idempotent. */
  async create(init: BatchInit): Promise<Batch> {
    if (!this.row()) {
      this.ctx.storage.transactionSync(() => {
        this.sql.exec(
          `INSERT INTO batch (id, account_id, status, input_file_id, input_key, metadata, created_at, expires_at)
           VALUES (?, ?, 'validating', ?, ?, ?, ?, ?)`,
          init.id,
          init.account_id,
          init.input_file_id,
          init.input_key,
          init.metadata ? JSON.stringify(init.metadata) : null,
          init.created_at,
          init.expires_at,
        );
        for (const r of init.requests) {
          this.sql.exec(
            "INSERT INTO requests (line, custom_id, byte_offset, byte_length) VALUES (?, ?, ?, ?)",
            r.line,
            r.custom_id,
            r.offset,
            r.length,
          );
        }
      });
      await this.ctx.storage.setAlarm(init.expires_at * 1000);
    }
    return this.snapshot(this.row()!);
  }

  get(): Batch | null {
    const row = this.row();
    return row ? this.snapshot(row) : null;
  }

  /** All requests are queued: validating → in_progress. */
  start(): Batch | null {
    this.sql.exec(
      "UPDATE batch SET status = 'in_progress', in_progress_at = ? WHERE status = 'validating'",
      unixSeconds(),
    );
    return this.get();
  }

  /** The requests could not be queued: the batch fails as a whole (the caller finalizes). */
  async fail(code: string, message: string): Promise<void> {
    const row = this.row();
    if (!row || row.final_status) return;
    this.sql.exec("UPDATE batch SET errors = ?", JSON.stringify([{ code, message, param: null, line: null }]));
    await this.seal("failed");
  }

  /** Leases `line` to one worker for `leaseMs`; says to skip it when it has a result or the batch stopped. */
  claim(line: number, leaseMs: number): Claim {
    const row = this.row();
    if (!row || row.final_status || row.status === "cancelling" || FINAL_STATUSES.includes(row.status)) {
      return { kind: "skip", stopped: true };
    }
    if (this.sql.exec("SELECT 1 FROM results WHERE line = ?", line).toArray().length) {
      return { kind: "skip", stopped: false };
    }
    const req = this.sql
      .exec<{ custom_id: string; byte_offset: number; byte_length: number; lease_until: number | null }>(
        "SELECT custom_id, byte_offset, byte_length, lease_until FROM requests WHERE line = ?",
        line,
      )
      .toArray()[0];
    if (!req) return { kind: "skip", stopped: false };
    const now = Date.now();
    if (req.lease_until !== null && req.lease_until > now) {
      return { kind: "busy", retryAfterSeconds: Math.ceil((req.lease_until - now) / 1000) };
    }
    this.sql.exec("UPDATE requests SET attempts = attempts + 1, lease_until = ? WHERE line = ?", now + leaseMs, line);
    return {
      kind: "run",
      accountId: row.account_id,
      inputKey: row.input_key,
      customId: req.custom_id,
      offset: req.byte_offset,
      length: req.byte_length,
    };
  }

  /** Gives a lease back (transient failure, retried later). True when the caller must finalize. */
  async release(line: number): Promise<boolean> {
    this.sql.exec("UPDATE requests SET lease_until = NULL WHERE line = ?", line);
    return this.sealIfDone();
  }

  /**
   * Records the outcome of `line` once: a second result for the same line is ignored, and so is
   * any result after the batch was sealed. True when this call completed the batch (or its
   * cancellation) and the caller must finalize.
   */
  async record(line: number, ok: boolean, output: BatchOutputLine): Promise<boolean> {
    const row = this.row();
    this.sql.exec("UPDATE requests SET lease_until = NULL WHERE line = ?", line);
    if (!row || row.final_status) return false;
    const json = `${JSON.stringify(output)}\n`;
    this.sql.exec(
      "INSERT OR IGNORE INTO results (line, ok, json, bytes) VALUES (?, ?, ?, ?)",
      line,
      ok ? 1 : 0,
      json,
      new TextEncoder().encode(json).byteLength,
    );
    return this.sealIfDone();
  }

  /** Stops new work: cancelling now, cancelled once the running requests are recorded. */
  async cancel(): Promise<{ batch: Batch; finalize: boolean } | "invalid_state" | null> {
    const row = this.row();
    if (!row) return null;
    if (row.status === "cancelling") return { batch: this.snapshot(row), finalize: false };
    if (row.final_status || FINAL_STATUSES.includes(row.status) || row.status === "finalizing") return "invalid_state";
    this.sql.exec("UPDATE batch SET status = 'cancelling', cancelling_at = ?", unixSeconds());
    const finalize = await this.sealIfDone();
    if (!finalize) {
      // Running requests normally report back; if their worker died, the alarm ends the wait.
      const { until } = this.sql.exec<{ until: number | null }>("SELECT MAX(lease_until) AS until FROM requests").one();
      await this.ctx.storage.setAlarm(Math.max(until ?? 0, Date.now()) + 1000);
    }
    return { batch: this.snapshot(this.row()!), finalize };
  }

  /** Seals the batch when nothing is left to wait for. */
  private async sealIfDone(): Promise<boolean> {
    const row = this.row();
    if (!row || row.final_status) return false;
    if (row.status === "cancelling") {
      const running = this.sql
        .exec<{ n: number }>("SELECT COUNT(*) AS n FROM requests WHERE lease_until > ?", Date.now())
        .one().n;
      if (running > 0) return false;
      await this.seal("cancelled");
      return true;
    }
    const { total, completed, failed } = this.counts();
    if (completed + failed < total) return false;
    await this.seal("completed");
    return true;
  }

  private async seal(final: FinalStatus): Promise<void> {
    const now = unixSeconds();
    this.sql.exec("UPDATE batch SET final_status = ?", final);
    if (final === "completed") this.sql.exec("UPDATE batch SET status = 'finalizing', finalizing_at = ?", now);
    await this.ctx.storage.setAlarm(Date.now() + FINALIZE_GRACE_MS);
  }

  /**
   * Writes the files and sets the final status (idempotent). Lines without a result get an
   * error line (`batch_cancelled`, `batch_expired`, `batch_failed`) so that completed + failed
   * always equals total in a final batch.
   */
  finalize(): Promise<Finalized> {
    this.finalizing ??= this.runFinalize().finally(() => {
      this.finalizing = null;
    });
    return this.finalizing;
  }

  private async runFinalize(): Promise<Finalized> {
    const row = this.row();
    if (!row) throw new Error("finalize: no batch");
    const final = row.final_status;
    if (!final) throw new Error("finalize: the batch is not sealed");
    if (row.status !== final) {
      this.fillUnfinished(final);
      const has = (ok: number) => this.sql.exec("SELECT 1 FROM results WHERE ok = ? LIMIT 1", ok).toArray().length > 0;
      const outputId = row.output_file_id ?? (has(1) ? newId(ID_PREFIXES.file) : null);
      const errorId = row.error_file_id ?? (has(0) ? newId(ID_PREFIXES.file) : null);
      this.sql.exec("UPDATE batch SET output_file_id = ?, error_file_id = ?", outputId, errorId);
      for (const [id, kind] of [
        [outputId, "output"],
        [errorId, "error"],
      ] as const) {
        if (id) await writeResultFile(this.env, this.sql, { id, accountId: row.account_id, batchId: row.id, kind });
      }
      const column = {
        completed: "completed_at",
        failed: "failed_at",
        expired: "expired_at",
        cancelled: "cancelled_at",
      }[final];
      this.sql.exec(
        `UPDATE batch SET status = ?, ${column} = ?, event_id = ?`,
        final,
        unixSeconds(),
        newId(ID_PREFIXES.event),
      );
    }
    return this.finalized();
  }

  private fillUnfinished(final: FinalStatus): void {
    if (final === "completed") return;
    const code = `batch_${final}`;
    const message = {
      cancelled: "The batch was cancelled before this request ran.",
      expired: "The batch expired before this request ran.",
      failed: "The batch failed before this request ran.",
    }[final];
    const pending = this.sql
      .exec<{ line: number; custom_id: string }>(
        "SELECT line, custom_id FROM requests WHERE line NOT IN (SELECT line FROM results) ORDER BY line",
      )
      .toArray();
    for (const r of pending) {
      const line: BatchOutputLine = {
        id: newId(ID_PREFIXES.batchRequest),
        custom_id: r.custom_id,
        response: null,
        error: { code, message },
      };
      const json = `${JSON.stringify(line)}\n`;
      this.sql.exec(
        "INSERT OR IGNORE INTO results (line, ok, json, bytes) VALUES (?, 0, ?, ?)",
        r.line,
        json,
        new TextEncoder().encode(json).byteLength,
      );
    }
  }

  private finalized(): Finalized {
    const row = this.row()!;
    const batch = this.snapshot(row);
    const event: WebhookEvent | null =
      row.event_id && !row.event_emitted
        ? {
            id: row.event_id,
            object: "event",
            type: `batch.${row.status as FinalStatus}`,
            created_at:
              batch.completed_at ?? batch.failed_at ?? batch.expired_at ?? batch.cancelled_at ?? row.created_at,
            data: batch,
          }
        : null;
    return { batch, accountId: row.account_id, event };
  }

  /** The event is in the webhook outbox: nothing left for the alarm. */
  async markEmitted(): Promise<void> {
    this.sql.exec("UPDATE batch SET event_emitted = 1");
    await this.ctx.storage.deleteAlarm();
  }

  /** Expiry, a cancel whose workers died, or a finalization/emission a worker left undone. */
  override async alarm(): Promise<void> {
    const row = this.row();
    if (!row) return;
    if (!row.final_status && !FINAL_STATUSES.includes(row.status)) {
      if (Date.now() >= row.expires_at * 1000) await this.seal(row.status === "cancelling" ? "cancelled" : "expired");
      else if (row.status === "cancelling") await this.seal("cancelled");
      else {
        await this.ctx.storage.setAlarm(row.expires_at * 1000);
        return;
      }
    }
    const done = await this.finalize();
    if (done.event) {
      await emitEvent(this.env, done.accountId, done.event);
      await this.markEmitted();
    }
  }
}
