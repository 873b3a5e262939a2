// Preprocessed images in R2 under `preprocessed/<account>/<sha256>`: content-addressed within an
// account, so a hash is written once per account (a HEAD first skips the put) and never changes.
// Per account, not shared: whether a put was skipped (a shorter request) must not tell one
// account that another one sent the same image.
import { PREPROCESSED_IMAGE_BYTES } from "@mmgpt/schema/internal";
import { ApiError } from "../errors/api-error";

export function preprocessedKey(accountId: string, sha256: string): string {
  return `preprocessed/${accountId}/${sha256}`;
}

/** Stores the account's pixels unless it has the hash already; returns whether it wrote. */
export async function storePreprocessed(
  bucket: R2Bucket,
  accountId: string,
  sha256: string,
  rgb: Uint8Array,
): Promise<boolean> {
  const key = preprocessedKey(accountId, sha256);
  if (await bucket.head(key)) return false;
  await bucket.put(key, rgb, { httpMetadata: { contentType: "application/octet-stream" } });
  return true;
}

export async function loadPreprocessed(bucket: R2Bucket, accountId: string, sha256: string): Promise<Uint8Array> {
  const object = await bucket.get(preprocessedKey(accountId, sha256));
  const bytes = object ? new Uint8Array(await object.arrayBuffer()) : null;
  if (!bytes || bytes.byteLength !== PREPROCESSED_IMAGE_BYTES) {
    // Only reachable if R2 lost an object the edge wrote: not the caller's fault.
    throw new ApiError("internal_error", "A stored image is missing; send the image again.");
  }
  return bytes;
}
