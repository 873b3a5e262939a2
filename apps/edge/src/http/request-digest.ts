// What makes two POSTs "the same request" for Idempotency-Key: method, path and body, where a
// multipart/form-data body counts by its fields, not its bytes. A client retrying an upload
// picks a new boundary (and clients differ in part-header spelling), so the bytes differ while
// the request does not; the fields are its name, filename, file type and content, in order.
import { Buffer } from "node:buffer";
import { sha256Hex } from "../images";

interface Part {
  name: string | null;
  filename: string | null;
  type: string | null;
  sha256: string;
}

/** The boundary of a multipart/form-data content type, or null. */
function boundaryOf(contentType: string | undefined): string | null {
  if (!contentType || !/^\s*multipart\/form-data\s*;/i.test(contentType)) return null;
  const m = /;\s*boundary\s*=\s*(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return m ? (m[1] ?? m[2]) : null;
}

function param(header: string, name: string): string | null {
  const m = new RegExp(`;\\s*${name}\\s*=\\s*(?:"((?:[^"\\\\]|\\\\.)*)"|([^;\\s]+))`, "i").exec(header);
  if (!m) return null;
  return m[1] !== undefined ? m[1].replace(/\\(.)/g, "$1") : m[2];
}

/** The parts of a multipart body, or null when it is not well formed (then its bytes count). */
async function multipartParts(body: Uint8Array, boundary: string): Promise<Part[] | null> {
  const buf = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const delimiter = Buffer.from(`--${boundary}`);
  let at = buf.indexOf(delimiter);
  if (at < 0) return null;
  const parts: Part[] = [];
  for (;;) {
    const after = at + delimiter.length;
    if (buf.subarray(after, after + 2).toString("latin1") === "--") return parts; // closing delimiter
    const headersStart = buf.indexOf("\r\n", after);
    const headersEnd = buf.indexOf("\r\n\r\n", after);
    if (headersStart < 0 || headersEnd < 0) return null;
    const next = buf.indexOf(Buffer.from(`\r\n--${boundary}`), headersEnd + 4);
    if (next < 0) return null;
    const headers = buf
      .subarray(headersStart + 2, headersEnd)
      .toString("utf8")
      .split("\r\n");
    const header = (name: string) =>
      headers
        .find((h) => h.toLowerCase().startsWith(`${name}:`))
        ?.slice(name.length + 1)
        .trim() ?? null;
    const disposition = header("content-disposition") ?? "";
    const filename = param(disposition, "filename");
    parts.push({
      name: param(disposition, "name"),
      filename,
      // A text field's type is whatever the client felt like sending; a file's is part of it.
      type: filename === null ? null : (header("content-type") ?? "application/octet-stream").toLowerCase(),
      sha256: await sha256Hex(body.subarray(headersEnd + 4, next)),
    });
    at = next + 2;
  }
}

/** SHA-256 (hex) identifying the request for Idempotency-Key. */
export async function requestDigest(
  method: string,
  path: string,
  contentType: string | undefined,
  body: Uint8Array,
): Promise<string> {
  const boundary = boundaryOf(contentType);
  const parts = boundary === null ? null : await multipartParts(body, boundary);
  if (parts !== null) {
    return sha256Hex(new TextEncoder().encode(`${method} ${path}\nmultipart\n${JSON.stringify(parts)}`));
  }
  const prefix = new TextEncoder().encode(`${method} ${path}\n`);
  const message = new Uint8Array(prefix.length + body.length);
  message.set(prefix);
  message.set(body, prefix.length);
  return sha256Hex(message);
}
