// Downloads a user-supplied image URL safely: https to a public host only (net/address-policy.ts),
// at most 3 redirects followed by hand (each hop re-checked, so an https URL cannot bounce to
// http or to an internal host), no credentials, a timeout over the whole exchange, and a byte
// cap enforced while streaming so a huge body is cut off.
import { checkOutboundUrl } from "../net/address-policy";
import { ImageError } from "./errors";
import { MAX_ENCODED_BYTES } from "./limits";

export interface FetchImageOptions {
  timeoutMs?: number;
  maxBytes?: number;
  maxRedirects?: number;
  /** Injected in tests; defaults to the global fetch. */
  fetch?: typeof fetch;
}

export interface FetchedImage {
  bytes: Uint8Array;
  url: string; // after redirects
  contentType: string | null; // informational only: the bytes are sniffed
}

export const FETCH_TIMEOUT_MS = 10_000;
export const MAX_REDIRECTS = 3;

function refuse(message: string): ImageError {
  return new ImageError("fetch_refused", message);
}

function checkUrl(raw: string, base?: URL): URL {
  const check = checkOutboundUrl(raw, {}, base);
  if (!check.ok) throw refuse(`The image URL ${check.problem}.`);
  return check.url;
}

export async function fetchImage(rawUrl: string, options: FetchImageOptions = {}): Promise<FetchedImage> {
  const { timeoutMs = FETCH_TIMEOUT_MS, maxBytes = MAX_ENCODED_BYTES, maxRedirects = MAX_REDIRECTS } = options;
  const doFetch = options.fetch ?? fetch;
  let url = checkUrl(rawUrl);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    for (let hop = 0; ; hop++) {
      // A fresh request per hop: no cookies, no Authorization, nothing from the caller.
      const response = await doFetch(url.toString(), {
        method: "GET",
        redirect: "manual",
        headers: { accept: "image/jpeg, image/png, image/webp, image/gif" },
        signal: controller.signal,
      });
      if (response.status >= 300 && response.status < 400) {
        await response.body?.cancel();
        const location = response.headers.get("location");
        if (!location) throw new ImageError("fetch_failed", `The image URL redirected (${response.status}) nowhere.`);
        if (hop >= maxRedirects) throw refuse(`The image URL redirected more than ${maxRedirects} times.`);
        url = checkUrl(location, url);
        continue;
      }
      if (!response.ok) {
        await response.body?.cancel();
        throw new ImageError("fetch_failed", `Fetching the image failed with HTTP ${response.status}.`);
      }
      const bytes = await readCapped(response, maxBytes);
      return { bytes, url: url.toString(), contentType: response.headers.get("content-type") };
    }
  } catch (error) {
    if (error instanceof ImageError) throw error;
    const timedOut = controller.signal.aborted;
    throw new ImageError(
      "fetch_failed",
      timedOut ? `Fetching the image timed out after ${timeoutMs} ms.` : "Fetching the image failed.",
      { cause: error },
    );
  } finally {
    clearTimeout(timer);
  }
}

function tooLarge(maxBytes: number): ImageError {
  return new ImageError("too_large", `The image is larger than ${maxBytes} bytes.`, { limit: "maxEncodedBytes" });
}

async function readCapped(response: Response, maxBytes: number): Promise<Uint8Array> {
  const declared = Number(response.headers.get("content-length"));
  if (declared > maxBytes) {
    await response.body?.cancel();
    throw tooLarge(maxBytes);
  }
  if (!response.body) return new Uint8Array(0);
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}
