// API keys and accounts in D1. A key is found by the hash of the presented secret; nothing is
// cached across requests, so a revocation applies to the very next request.
import type { ApiKey } from "@mmgpt/schema";
import { ID_PREFIXES } from "@mmgpt/schema";
import { newId, unixSeconds } from "../http/ids";
import { type PageQuery, selectPage } from "../http/pagination";
import { generateApiKey, hashApiKey } from "./secrets";

interface KeyRow {
  id: string;
  account_id: string;
  name: string;
  prefix: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

export function toApiKey(row: KeyRow): ApiKey {
  return {
    id: row.id,
    object: "api_key",
    account_id: row.account_id,
    name: row.name,
    prefix: row.prefix,
    created_at: row.created_at,
    last_used_at: row.last_used_at,
    revoked_at: row.revoked_at,
  };
}

const COLUMNS = "id, account_id, name, prefix, created_at, last_used_at, revoked_at";

export async function createKey(db: D1Database, accountId: string, name: string): Promise<ApiKey & { key: string }> {
  const { key, prefix } = generateApiKey();
  const row: KeyRow = {
    id: newId(ID_PREFIXES.apiKey),
    account_id: accountId,
    name,
    prefix,
    created_at: unixSeconds(),
    last_used_at: null,
    revoked_at: null,
  };
  await db.batch([
    db.prepare("INSERT OR IGNORE INTO accounts (id, created_at) VALUES (?, ?)").bind(accountId, row.created_at),
    db
      .prepare("INSERT INTO api_keys (id, account_id, name, prefix, key_hash, created_at) VALUES (?, ?, ?, ?, ?, ?)")
      .bind(row.id, accountId, name, prefix, await hashApiKey(key), row.created_at),
  ]);
  return { ...toApiKey(row), key };
}

/** The live (not revoked) key whose secret hashes to `keyHash` (hashApiKey), or null. */
export async function findLiveKey(db: D1Database, keyHash: string): Promise<KeyRow | null> {
  return db
    .prepare(`SELECT ${COLUMNS} FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL`)
    .bind(keyHash)
    .first<KeyRow>();
}

export async function touchKey(db: D1Database, keyId: string, now: number): Promise<void> {
  await db.prepare("UPDATE api_keys SET last_used_at = ? WHERE id = ?").bind(now, keyId).run();
}

export async function listKeys(db: D1Database, query: PageQuery & { account_id?: string }): Promise<KeyRow[]> {
  return selectPage<KeyRow>(db, "api_keys", COLUMNS, { account_id: query.account_id || undefined }, query);
}

/** Revokes a key (idempotently) and returns it, or null when there is no such key. */
export async function revokeKey(db: D1Database, keyId: string): Promise<KeyRow | null> {
  await db
    .prepare("UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL")
    .bind(unixSeconds(), keyId)
    .run();
  return db.prepare(`SELECT ${COLUMNS} FROM api_keys WHERE id = ?`).bind(keyId).first<KeyRow>();
}
