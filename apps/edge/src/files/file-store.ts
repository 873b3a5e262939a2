// File metadata in D1 (always scoped by account: another account's id reads as absent) and
// the uploaded bytes in R2 under `files/<account>/<file id>`.
import type { FileObject, FilePurpose } from "@mmgpt/schema";
import { type PageQuery, selectPage } from "../http/pagination";

export interface FileRow {
  id: string;
  account_id: string;
  purpose: FilePurpose;
  filename: string;
  content_type: string;
  bytes: number;
  sha256: string;
  width: number | null;
  height: number | null;
  preprocessed_sha256: string | null;
  created_at: number;
}

export function fileKey(accountId: string, fileId: string): string {
  return `files/${accountId}/${fileId}`;
}

export function toFileObject(row: FileRow): FileObject {
  return {
    id: row.id,
    object: "file",
    bytes: row.bytes,
    sha256: row.sha256,
    width: row.width,
    height: row.height,
    purpose: row.purpose,
    filename: row.filename,
    created_at: row.created_at,
    status: "processed",
    expires_at: null,
  };
}

export async function insertFile(db: D1Database, row: FileRow): Promise<void> {
  await db
    .prepare(
      `INSERT INTO files (id, account_id, purpose, filename, content_type, bytes, sha256, width, height,
        preprocessed_sha256, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .bind(
      row.id,
      row.account_id,
      row.purpose,
      row.filename,
      row.content_type,
      row.bytes,
      row.sha256,
      row.width,
      row.height,
      row.preprocessed_sha256,
      row.created_at,
    )
    .run();
}

export async function findFile(db: D1Database, accountId: string, fileId: string): Promise<FileRow | null> {
  return db.prepare("SELECT * FROM files WHERE id = ? AND account_id = ?").bind(fileId, accountId).first<FileRow>();
}

export async function listFiles(
  db: D1Database,
  accountId: string,
  query: PageQuery & { purpose?: FilePurpose },
): Promise<FileRow[]> {
  return selectPage<FileRow>(db, "files", "*", { account_id: accountId, purpose: query.purpose }, query);
}

export async function deleteFileRow(db: D1Database, accountId: string, fileId: string): Promise<boolean> {
  const result = await db.prepare("DELETE FROM files WHERE id = ? AND account_id = ?").bind(fileId, accountId).run();
  return result.meta.changes > 0;
}
