// Reads a request body with a hard byte cap: a declared Content-Length over the cap is refused
// unread, and a streamed body is cancelled at the first byte past it, so no route of the runner
// holds more than its cap of one request in memory.
import type { EngineError } from "../engine/errors.js";

/** Largest generate body: images travel as hashes, so more than this is text no context holds. */
export const MAX_GENERATE_BODY_BYTES = 8 << 20;

/** `tooLarge` builds the error for a body past `maxBytes` (each route says what that means). */
export async function readBoundedBody(
  request: Request,
  maxBytes: number,
  tooLarge: () => EngineError,
): Promise<Uint8Array> {
  const declared = request.headers.get("content-length");
  if (declared !== null && Number(declared) > maxBytes) throw tooLarge();
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    length += value.byteLength;
    if (length > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge();
    }
    chunks.push(value);
  }
  const body = new Uint8Array(length);
  let at = 0;
  for (const chunk of chunks) {
    body.set(chunk, at);
    at += chunk.byteLength;
  }
  return body;
}
