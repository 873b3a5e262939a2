// Stored responses in D1 (migrations/0006_responses.sql): insert on completion, find and delete
// per account, the previous_response_id chain read in one recursive query, and the message items
// they hold found by id for `item_reference` (migrations/0007_response_items.sql).
import type { ResponseObject } from "@mmgpt/schema";
import type { NewMessage } from "../conversations/conversation-sql";
import { ApiError } from "../errors/api-error";

export interface StoredResponse {
  id: string;
  account_id: string;
  previous_response_id: string | null;
  root_id: string;
  conversation_id: string | null;
  body: string; // JSON ResponseObject
  input_items: string; // JSON NewMessage[]
  created_at: number;
}

/** D1 keeps rows up to 2 MB; a larger input is refused before the reply is generated. */
export const MAX_STORED_INPUT_CHARS = 1_000_000;
/** A chain is read back at most this deep (a longer one starts at its last MAX_CHAIN responses). */
export const MAX_CHAIN = 1_000;

export function checkStorable(input: readonly NewMessage[]): void {
  if (JSON.stringify(input).length > MAX_STORED_INPUT_CHARS) {
    throw new ApiError(
      "invalid_request_error",
      `The input is too large to store (over ${MAX_STORED_INPUT_CHARS} characters as stored); send it with store: false.`,
      { param: "input" },
    );
  }
}

export async function insertResponse(
  db: D1Database,
  row: Omit<StoredResponse, "body" | "input_items"> & { body: ResponseObject; input: readonly NewMessage[] },
): Promise<void> {
  // Kept without the prompt (as conversations) and without logprobs: they answer the create call
  // only, and up to 21 entries per token of every choice could overflow D1's 2 MB row.
  const { prompt: _prompt, ...reply } = row.body;
  const body = {
    ...reply,
    output: reply.output.map((m) => ({ ...m, content: m.content.map((p) => ({ ...p, logprobs: [] })) })),
  };
  // Each input item and output message, so that an item_reference finds this response.
  const itemIds = [...row.input.map((m) => m.id), ...body.output.map((m) => m.id)];
  await db.batch([
    db
      .prepare(
        `INSERT INTO responses (id, account_id, previous_response_id, root_id, conversation_id, body, input_items, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .bind(
        row.id,
        row.account_id,
        row.previous_response_id,
        row.root_id,
        row.conversation_id,
        JSON.stringify(body),
        JSON.stringify(row.input.map(({ prompt: _p, dropped_exchanges: _d, ...m }) => m)),
        row.created_at,
      ),
    db
      .prepare("INSERT INTO response_items (id, account_id, response_id) SELECT value, ?, ? FROM json_each(?)")
      .bind(row.account_id, row.id, JSON.stringify(itemIds)),
  ]);
}

/** The caller's response, or null: another account's id is indistinguishable from none. */
export async function findResponse(db: D1Database, accountId: string, id: string): Promise<StoredResponse | null> {
  return db
    .prepare("SELECT * FROM responses WHERE id = ? AND account_id = ?")
    .bind(id, accountId)
    .first<StoredResponse>();
}

export async function deleteResponse(db: D1Database, accountId: string, id: string): Promise<boolean> {
  const [, result] = await db.batch([
    db.prepare("DELETE FROM response_items WHERE response_id = ? AND account_id = ?").bind(id, accountId),
    db.prepare("DELETE FROM responses WHERE id = ? AND account_id = ?").bind(id, accountId),
  ]);
  return result!.meta.changes > 0;
}

/** The response `id` and its stored predecessors, oldest first; empty when `id` is not the caller's. */
export async function loadChain(db: D1Database, accountId: string, id: string): Promise<StoredResponse[]> {
  const { results } = await db
    .prepare(
      `WITH RECURSIVE chain(depth, id) AS (
         SELECT 0, id FROM responses WHERE id = ?1 AND account_id = ?2
         UNION ALL
         SELECT chain.depth + 1, r.previous_response_id FROM responses r JOIN chain ON r.id = chain.id
         WHERE r.account_id = ?2 AND r.previous_response_id IS NOT NULL AND chain.depth < ?3
       )
       SELECT responses.* FROM chain JOIN responses ON responses.id = chain.id AND responses.account_id = ?2
       ORDER BY chain.depth DESC`,
    )
    .bind(id, accountId, MAX_CHAIN - 1)
    .all<StoredResponse>();
  return results;
}

/** The caller's stored responses holding any of `itemIds` (each row once, with the ids it holds). */
export async function findItemHolders(
  db: D1Database,
  accountId: string,
  itemIds: readonly string[],
): Promise<Array<Pick<StoredResponse, "body" | "input_items">>> {
  const { results } = await db
    .prepare(
      `SELECT DISTINCT r.body, r.input_items FROM response_items i
       JOIN responses r ON r.id = i.response_id AND r.account_id = i.account_id
       WHERE i.account_id = ? AND i.id IN (SELECT value FROM json_each(?))`,
    )
    .bind(accountId, JSON.stringify(itemIds))
    .all<Pick<StoredResponse, "body" | "input_items">>();
  return results;
}
