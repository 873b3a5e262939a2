// The SQLite schema of a BatchDO, its row shapes, and the public Batch object built from them.
// Invariant: a line has at most one row in `results` (INSERT OR IGNORE), so a redelivered or
// duplicated message can never add a second result line.
import type { Batch, BatchStatus, Metadata } from "@mmgpt/schema";

export const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS batch (
    id TEXT PRIMARY KEY, account_id TEXT NOT NULL, status TEXT NOT NULL,
    input_file_id TEXT NOT NULL, input_key TEXT NOT NULL, metadata TEXT,
    created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL,
    in_progress_at INTEGER, finalizing_at INTEGER, completed_at INTEGER, failed_at INTEGER,
    expired_at INTEGER, cancelling_at INTEGER, cancelled_at INTEGER,
    errors TEXT, final_status TEXT, output_file_id TEXT, error_file_id TEXT,
    event_id TEXT, event_emitted INTEGER NOT NULL DEFAULT 0)`,
  `CREATE TABLE IF NOT EXISTS requests (
    line INTEGER PRIMARY KEY, custom_id TEXT NOT NULL UNIQUE, byte_offset INTEGER NOT NULL,
    byte_length INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, lease_until INTEGER)`,
  `CREATE TABLE IF NOT EXISTS results (
    line INTEGER PRIMARY KEY, ok INTEGER NOT NULL, json TEXT NOT NULL, bytes INTEGER NOT NULL)`,
];

export const FINAL_STATUSES: readonly BatchStatus[] = ["completed", "failed", "expired", "cancelled"];
export type FinalStatus = "completed" | "failed" | "expired" | "cancelled";

export type BatchRow = {
  id: string;
  account_id: string;
  status: BatchStatus;
  input_file_id: string;
  input_key: string;
  metadata: string | null;
  created_at: number;
  expires_at: number;
  in_progress_at: number | null;
  finalizing_at: number | null;
  completed_at: number | null;
  failed_at: number | null;
  expired_at: number | null;
  cancelling_at: number | null;
  cancelled_at: number | null;
  errors: string | null;
  /** Set when the batch is sealed: no result is recorded after this, the files are being written. */
  final_status: FinalStatus | null;
  output_file_id: string | null;
  error_file_id: string | null;
  event_id: string | null;
  event_emitted: number;
};

/** One request of the batch: where its line is in the input file. */
export interface RequestRef {
  line: number;
  custom_id: string;
  offset: number;
  length: number;
}

export interface BatchInit {
  id: string;
  account_id: string;
  input_file_id: string;
  input_key: string;
  metadata: Metadata | null;
  created_at: number;
  expires_at: number;
  requests: RequestRef[];
}

export function toBatch(row: BatchRow, counts: { total: number; completed: number; failed: number }): Batch {
  return {
    id: row.id,
    object: "batch",
    endpoint: "/v1/chat/completions",
    errors: row.errors ? { object: "list", data: JSON.parse(row.errors) } : null,
    input_file_id: row.input_file_id,
    completion_window: "24h",
    status: row.status,
    output_file_id: row.output_file_id,
    error_file_id: row.error_file_id,
    created_at: row.created_at,
    in_progress_at: row.in_progress_at,
    expires_at: row.expires_at,
    finalizing_at: row.finalizing_at,
    completed_at: row.completed_at,
    failed_at: row.failed_at,
    expired_at: row.expired_at,
    cancelling_at: row.cancelling_at,
    cancelled_at: row.cancelled_at,
    request_counts: counts,
    metadata: row.metadata ? JSON.parse(row.metadata) : null,
  };
}
