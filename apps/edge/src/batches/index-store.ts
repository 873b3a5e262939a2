// The per-account batch index in D1 (ownership and listing); the BatchDO is authoritative for
// everything else. Another account's batch id reads as absent.
import type { Bindings } from "../env";
import { type PageQuery, selectPage } from "../http/pagination";

export async function insertBatchIndex(db: D1Database, id: string, accountId: string, createdAt: number) {
  await db
    .prepare("INSERT INTO batches (id, account_id, created_at) VALUES (?, ?, ?)")
    .bind(id, accountId, createdAt)
    .run();
}

export async function ownsBatch(db: D1Database, accountId: string, id: string): Promise<boolean> {
  return (
    (await db.prepare("SELECT 1 AS x FROM batches WHERE id = ? AND account_id = ?").bind(id, accountId).first()) !==
    null
  );
}

export async function listBatchIds(db: D1Database, accountId: string, query: PageQuery): Promise<string[]> {
  const rows = await selectPage<{ id: string }>(db, "batches", "id", { account_id: accountId }, query);
  return rows.map((r) => r.id);
}

export function batchStub(env: Pick<Bindings, "BATCHES">, id: string) {
  return env.BATCHES.get(env.BATCHES.idFromName(id));
}
