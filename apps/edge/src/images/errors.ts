// The one error type of the image pipeline. Every failure (bad bytes, unsupported format, a
// limit, a refused or failed fetch) becomes an ImageError with the public code `invalid_image`;
// `reason` and `limit` let the API layer pick a status and tell the user exactly what to fix.

/** Why an image was refused; `code` is always `invalid_image` for the public error envelope. */
export type ImageErrorReason =
  | "unsupported_format" // not JPEG, PNG, WebP or GIF (or a variant we do not decode)
  | "too_large" // a limit was exceeded: see `limit`
  | "corrupt" // header or pixel data is malformed or truncated
  | "bad_data_url" // the data: URL is malformed
  | "fetch_refused" // the URL is not allowed (not https, too many or insecure redirects)
  | "fetch_failed"; // network error, timeout or non-2xx response

export type ImageLimitName = "maxEncodedBytes" | "maxPixels" | "maxSide" | "minSide" | "maxDecodeBytes";

export class ImageError extends Error {
  readonly code = "invalid_image";
  readonly reason: ImageErrorReason;
  readonly limit: ImageLimitName | undefined;

  constructor(reason: ImageErrorReason, message: string, options?: { limit?: ImageLimitName; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = "ImageError";
    this.reason = reason;
    this.limit = options?.limit;
  }
}

/** Runs a third-party decoder step and turns anything it throws into a `corrupt` ImageError. */
export async function guardDecoder<T>(what: string, step: () => T | Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (cause) {
    if (cause instanceof ImageError) throw cause;
    throw new ImageError("corrupt", `The ${what} image could not be decoded: the file is corrupt or truncated.`, {
      cause,
    });
  }
}
