// The SQLite schema of a ConversationDO and the row shapes it hands back over RPC. A message's
// images are the `image` parts of its content, in order (older objects also have an unused
// `image_sha256` column from when a turn had at most one).
import type { FinishReason, ItemRole, MessageContentPart, Metadata } from "@mmgpt/schema";
import type { GenerateUsage } from "@mmgpt/schema/internal";

export const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS conversation (
    id TEXT PRIMARY KEY, account_id TEXT NOT NULL, model TEXT NOT NULL, system TEXT,
    metadata TEXT NOT NULL, created_at INTEGER NOT NULL,
    pending_id TEXT, pending_until INTEGER, last_error TEXT)`,
  `CREATE TABLE IF NOT EXISTS messages (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, role TEXT NOT NULL,
    text TEXT NOT NULL, content TEXT NOT NULL, model TEXT,
    finish_reason TEXT, usage TEXT, status TEXT NOT NULL, created_at INTEGER NOT NULL)`,
];

export interface ConversationMeta {
  id: string;
  account_id: string;
  model: string;
  system: string | null;
  metadata: Metadata;
  created_at: number;
}

/** The failure of the last generation, shown on the conversation until a turn succeeds. */
export interface LastError {
  code: string;
  message: string;
  request_id: string;
  at: number;
}

/** A stored item: a message of any of OpenAI's four roles (system and developer join the system text). */
export interface NewMessage {
  id: string;
  role: ItemRole;
  text: string;
  content: MessageContentPart[];
  model: string | null;
  finish_reason: FinishReason | null;
  usage: GenerateUsage | null;
  created_at: number;
  /** The rendered prompt (assistant messages, returned to the sender only; never stored). */
  prompt?: string;
  /** Exchanges truncation left out of the prompt (assistant messages, to the sender only). */
  dropped_exchanges?: number;
}

export type MessageRow = {
  seq: number;
  id: string;
  role: ItemRole;
  text: string;
  content: string; // JSON MessageContentPart[]
  model: string | null;
  finish_reason: FinishReason | null;
  usage: string | null; // JSON GenerateUsage
  status: string;
  created_at: number;
};
