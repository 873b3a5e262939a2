// Turns an uploaded file into a stored one. Vision files are decoded and preprocessed on
// upload: that validates them (a bad image fails now, not in a later chat) and records the
// size and the preprocessed hash, so chats that reference the file never decode it again.
import { ID_PREFIXES, type UploadPurpose } from "@mmgpt/schema";
import { newId, unixSeconds } from "../http/ids";
import { preprocessImage, sha256Hex } from "../images";
import { toImageApiError } from "../vision/image-error";
import { storePreprocessed } from "../vision/preprocessed-store";
import { type FileRow, fileKey, insertFile } from "./file-store";

const MEDIA_TYPES = { jpeg: "image/jpeg", png: "image/png", webp: "image/webp", gif: "image/gif" } as const;

export async function storeUpload(
  env: { DB: D1Database; BUCKET: R2Bucket },
  accountId: string,
  file: File,
  purpose: UploadPurpose,
): Promise<FileRow> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  const row: FileRow = {
    id: newId(ID_PREFIXES.file),
    account_id: accountId,
    purpose,
    filename: file.name || "upload",
    content_type: purpose === "batch" ? "application/jsonl" : "application/octet-stream",
    bytes: bytes.byteLength,
    sha256: await sha256Hex(bytes),
    width: null,
    height: null,
    preprocessed_sha256: null,
    created_at: unixSeconds(),
  };
  if (purpose === "vision") {
    const image = await preprocessImage(bytes).catch((error: unknown) => {
      throw toImageApiError(error, "file");
    });
    await storePreprocessed(env.BUCKET, accountId, image.sha256, image.rgb);
    // The stored type comes from the sniffed bytes, never from the client's claim.
    Object.assign(row, {
      content_type: MEDIA_TYPES[image.format],
      width: image.width,
      height: image.height,
      preprocessed_sha256: image.sha256,
    });
  }
  await env.BUCKET.put(fileKey(accountId, row.id), bytes, { httpMetadata: { contentType: row.content_type } });
  await insertFile(env.DB, row);
  return row;
}
