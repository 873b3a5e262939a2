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

function bad(message: string): ImageError {
  return new ImageError("bad_data_url", message);
}

// base64 alphabet → 6-bit value, -1 for anything else (URL-safe characters, whitespace, '=').
const SEXTETS = new Int8Array(128).fill(-1);
for (const [i, c] of Array.from("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/").entries()) {
  SEXTETS[c.charCodeAt(0)] = i;
}

/**
 * Strict base64 (full quads, padding only at the end) decoded in one linear pass. Not a regex:
 * V8 keeps a backtracking entry per repetition of a quantified group, so a photo-sized payload
 * (5.6 M characters for 4.2 MB) overflowed its stack and the request failed with a 500. Not
 * atob either: that would hold a second, binary copy of the payload as a string.
 */
function decodeBase64(text: string, start: number): Uint8Array | null {
  const length = text.length - start;
  if (length === 0 || length % 4 !== 0) return null;
  const padding = text.endsWith("==") ? 2 : text.endsWith("=") ? 1 : 0;
  const out = new Uint8Array((length / 4) * 3 - padding);
  const end = text.length - padding;
  let o = 0;
  let quad = 0;
  let bits = 0;
  for (let i = start; i < end; i++) {
    const code = text.charCodeAt(i);
    const value = code < 128 ? SEXTETS[code] : -1;
    if (value < 0) return null;
    quad = (quad << 6) | value;
    if (++bits === 4) {
      out[o++] = quad >>> 16;
      out[o++] = (quad >>> 8) & 0xff;
      out[o++] = quad & 0xff;
      quad = 0;
      bits = 0;
    }
  }
  // The last quad lacks 1 or 2 characters (its '=' padding): 2 or 1 bytes remain.
  if (bits === 3) {
    quad <<= 6;
    out[o++] = quad >>> 16;
    out[o++] = (quad >>> 8) & 0xff;
  } else if (bits === 2) {
    quad <<= 12;
    out[o++] = quad >>> 16;
  }
  return out;
}

export function parseDataUrl(url: string, maxBytes = MAX_ENCODED_BYTES): DataUrlImage {
  const head = DATA_URL.exec(url.slice(0, 64));
  if (!head) throw bad("The image URL must look like data:image/png;base64,<data>.");
  const mediaType = head[1].toLowerCase();
  if (!(DATA_URL_MEDIA_TYPES as readonly string[]).includes(mediaType)) {
    throw bad(`The data URL media type "${head[1]}" is not supported; use ${DATA_URL_MEDIA_TYPES.join(", ")}.`);
  }
  const payloadLength = url.length - head[0].length;
  if (payloadLength === 0) throw bad("The data URL has no image data.");
  // Check the size before decoding anything: 4 base64 characters carry 3 bytes.
  const padding = url.endsWith("==") ? 2 : url.endsWith("=") ? 1 : 0;
  const decodedLength = Math.floor((payloadLength / 4) * 3) - padding;
  if (decodedLength > maxBytes) {
    throw new ImageError("too_large", `The image is ${decodedLength} bytes; the limit is ${maxBytes} bytes.`, {
      limit: "maxEncodedBytes",
    });
  }
  const bytes = decodeBase64(url, head[0].length);
  if (!bytes) throw bad("The data URL payload is not valid base64.");
  return { mediaType: mediaType as DataUrlMediaType, bytes };
}
