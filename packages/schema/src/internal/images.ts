// HEAD/PUT /internal/v1/images/{sha256}: the runner's store of preprocessed images, kept per
// tenant (TENANT_HEADER). The edge PUTs the pixels when a generation answers image_missing, so
// an image crosses the network once per runner and tenant.
import { z } from "zod";
import { PREPROCESSED_IMAGE_BYTES } from "./constants";

export const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, { message: "must be 64 lowercase hex characters" });

/**
 * An account as the runner sees it: an opaque key the edge derives (an HMAC of the account id),
 * never the id itself. Caches (KV prefixes, images, their features) are shared within a tenant
 * only, so one account cannot learn from cache hits what another one sent.
 */
export const TenantKey = z
  .string()
  .regex(/^[A-Za-z0-9_-]{16,128}$/, { message: "must be 16 to 128 characters of A-Z, a-z, 0-9, _ and -" });
export type TenantKey = z.infer<typeof TenantKey>;

export const ImageParams = z.object({ sha256: Sha256 });
export type ImageParams = z.infer<typeof ImageParams>;

/** Status codes of the image endpoints. */
export const IMAGE_STATUS = {
  /** HEAD: the runner has the image. */
  present: 200,
  /** HEAD: the runner lacks it. */
  absent: 404,
  /** PUT: stored (or already present). */
  stored: 204,
  /** PUT: wrong size or hash mismatch (body: RunnerErrorBody, code image_invalid). */
  invalid: 400,
} as const;

/** Whether a PUT body has the size of a preprocessed image. The hash is checked by the runner. */
export function isPreprocessedImageSize(bytes: ArrayBufferLike | ArrayBufferView): boolean {
  return bytes.byteLength === PREPROCESSED_IMAGE_BYTES;
}
