// Writes a batch's output (ok = 1) or error (ok = 0) JSONL from the BatchDO's `results` table
// to R2 as a `batch` file of the account, streaming pages of rows: the total length is known
// up front (each row stores its byte count), so a FixedLengthStream feeds R2 and a DigestStream
// computes the file's sha256 on the way. Re-running with the same file id overwrites the object
// and keeps the one D1 row, so a retried finalization is harmless.
import { fileKey } from "../files/file-store";
import { unixSeconds } from "../http/ids";

const PAGE_ROWS = 200;

export interface ResultFile {
  id: string;
  accountId: string;
  batchId: string;
  kind: "output" | "error";
}

function hex(bytes: ArrayBuffer): string {
  return Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("");
}

export async function writeResultFile(
  env: { DB: D1Database; BUCKET: R2Bucket },
  sql: SqlStorage,
  file: ResultFile,
): Promise<void> {
  const ok = file.kind === "output" ? 1 : 0;
  const { bytes } = sql
    .exec<{ bytes: number }>("SELECT COALESCE(SUM(bytes), 0) AS bytes FROM results WHERE ok = ?", ok)
    .one();
  const key = fileKey(file.accountId, file.id);
  const body = new FixedLengthStream(bytes);
  const digest = new crypto.DigestStream("SHA-256");
  const put = env.BUCKET.put(key, body.readable, { httpMetadata: { contentType: "application/jsonl" } });
  const writer = body.writable.getWriter();
  const hasher = digest.getWriter();
  const encoder = new TextEncoder();
  let after = 0;
  for (;;) {
    const rows = sql
      .exec<{ line: number; json: string }>(
        "SELECT line, json FROM results WHERE ok = ? AND line > ? ORDER BY line LIMIT ?",
        ok,
        after,
        PAGE_ROWS,
      )
      .toArray();
    if (rows.length === 0) break;
    const chunk = encoder.encode(rows.map((r) => r.json).join(""));
    await Promise.all([writer.write(chunk), hasher.write(chunk)]);
    after = rows[rows.length - 1]!.line;
  }
  await Promise.all([writer.close(), hasher.close()]);
  await put;
  await env.DB.prepare(
    `INSERT OR IGNORE INTO files (id, account_id, purpose, filename, content_type, bytes, sha256, width, height,
       preprocessed_sha256, created_at) VALUES (?, ?, 'batch_output', ?, 'application/jsonl', ?, ?, NULL, NULL, NULL, ?)`,
  )
    .bind(file.id, file.accountId, `${file.batchId}_${file.kind}.jsonl`, bytes, hex(await digest.digest), unixSeconds())
    .run();
}
