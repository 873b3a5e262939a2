// Turns the image pipeline's ImageError into the public 400s: fetch problems are
// `image_fetch_failed`, everything else (format, corruption, limits) is `invalid_image`.

import { ApiError } from "../errors/api-error";
import { ImageError } from "../images";

export function toImageApiError(error: unknown, param: string | null): unknown {
  if (!(error instanceof ImageError)) return error;
  const code =
    error.reason === "fetch_failed" || error.reason === "fetch_refused" ? "image_fetch_failed" : "invalid_image";
  return new ApiError(code, error.message, { param, cause: error });
}
