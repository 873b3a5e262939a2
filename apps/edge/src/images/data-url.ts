// Strict parser for inline images: `data:image/<jpeg|png|webp|gif>;base64,<payload>`. The
// declared type only gates what we accept; the bytes are sniffed again before decoding.
import { ImageError } from "./errors";
import { MAX_ENCODED_BYTES } from "./limits";

export const DATA_URL_MEDIA_TYPES = ["image/jpeg", "image/png", "image/webp", "image/gif"] as const;
export type DataUrlMediaType = (typeof DATA_URL_MEDIA_TYPES)[number];

export interface DataUrlImage {
  mediaType: DataUrlMediaType;
  bytes: Uint8Array;
}

const DATA_URL = /^data:([^;,]*);base64,/i;
// Canonical base64: full quads, padding only at the end, no whitespace or URL-safe characters.
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function bad(message: string): ImageError {
  return new ImageError("bad_data_url", message);
}

export function parseDataUrl(url: string, maxBytes = MAX_ENCODED_BYTES): DataUrlImage {
  const head = DATA_URL.exec(url);
  if (!head) throw bad("The image URL must look like data:image/png;base64,<data>.");
  const mediaType = head[1].toLowerCase();
  if (!(DATA_URL_MEDIA_TYPES as readonly string[]).includes(mediaType)) {
    throw bad(`The data URL media type "${head[1]}" is not supported; use ${DATA_URL_MEDIA_TYPES.join(", ")}.`);
  }
  const payload = url.slice(head[0].length);
  if (payload.length === 0) throw bad("The data URL has no image data.");
  // Check the size before decoding anything: 4 base64 characters carry 3 bytes.
  const decodedLength = (payload.length / 4) * 3 - (payload.endsWith("==") ? 2 : payload.endsWith("=") ? 1 : 0);
  if (decodedLength > maxBytes) {
    throw new ImageError(
      "too_large",
      `The image is ${Math.floor(decodedLength)} bytes; the limit is ${maxBytes} bytes.`,
      {
        limit: "maxEncodedBytes",
      },
    );
  }
  if (!BASE64.test(payload)) throw bad("The data URL payload is not valid base64.");
  const binary = atob(payload);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return { mediaType: mediaType as DataUrlMediaType, bytes };
}
