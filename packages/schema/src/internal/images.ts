// HEAD/PUT /internal/v1/images/{sha256}: the runner's store of preprocessed images. The edge
// HEADs first and PUTs the pixels only on 404, so an image crosses the network once per runner.
import { z } from "zod";
import { PREPROCESSED_IMAGE_BYTES } from "./constants";

export const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, { message: "must be 64 lowercase hex characters" });

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
