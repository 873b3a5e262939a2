// The one body cap of the edge, mounted before every route: a declared Content-Length over the
// route's limit is a 413 before anything is read; a body without one (chunked) is counted as it
// streams and cut at the first byte past the limit, whoever reads it (validators, idempotency,
// multipart parsing), and the request answers 413 in the error envelope. Nothing reads more
// than its route's limit into memory.
import { LIMITS } from "@mmgpt/schema";
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../env";
import { ApiError } from "../errors/api-error";
import { renderError } from "../errors/render";

/** Multipart framing (boundaries, part headers, the `purpose` field) around the largest file. */
const MULTIPART_OVERHEAD_BYTES = 64 * 1024;

interface BodyLimit {
  bytes: number;
  /** What the 413 tells the caller to do instead. */
  hint: string;
}

const DEFAULT_LIMIT: BodyLimit = { bytes: LIMITS.maxBodyBytes, hint: "" };
const GENERATION_LIMIT: BodyLimit = {
  bytes: LIMITS.maxGenerationBodyBytes,
  hint: " Upload large images with POST /v1/files and send their file ids, or send https URLs.",
};

/**
 * Routes whose body may carry an image inline (a data URL): a chat completion, a response, a
 * conversation created with items, a message or items added to one.
 */
const IMAGE_BODY_ROUTE = /^\/v1\/(chat\/completions|responses|conversations|conversations\/[^/]+\/(messages|items))$/;

/** The limit of one route; every route not named here takes LIMITS.maxBodyBytes. */
export function bodyLimitFor(method: string, path: string): BodyLimit {
  if (method !== "POST") return DEFAULT_LIMIT;
  if (IMAGE_BODY_ROUTE.test(path)) return GENERATION_LIMIT;
  if (path === "/v1/files") return { bytes: LIMITS.maxFileBytes + MULTIPART_OVERHEAD_BYTES, hint: "" };
  if (path === "/v1/batches") return { bytes: LIMITS.maxFileBytes, hint: " Upload larger inputs as a file." };
  return DEFAULT_LIMIT;
}

function tooLarge(limit: BodyLimit): ApiError {
  return new ApiError(
    "payload_too_large",
    `The request body is over ${limit.bytes} bytes, this route's limit.${limit.hint}`,
  );
}

export function bodyLimit(): MiddlewareHandler<AppEnv> {
  return async function bodyLimitMiddleware(c, next) {
    const body = c.req.raw.body;
    if (!body) return next();
    const limit = bodyLimitFor(c.req.method, c.req.path);
    const declared = c.req.header("content-length");
    if (declared !== undefined && Number(declared) > limit.bytes) throw tooLarge(limit);

    let seen = 0;
    let over = false;
    const counted = body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          seen += chunk.byteLength;
          if (seen > limit.bytes) {
            over = true;
            controller.error(tooLarge(limit));
          } else {
            controller.enqueue(chunk);
          }
        },
      }),
    );
    c.req.raw = new Request(c.req.raw, { body: counted, duplex: "half" } as RequestInit);
    try {
      await next();
    } catch (error) {
      if (over) throw tooLarge(limit);
      throw error;
    }
    // A reader may have turned the cut into its own error (a validator's "malformed JSON"):
    // the cause was the size, and the answer says so.
    if (over) {
      c.res = undefined; // replace, not merge: the old answer's headers describe another body
      c.res = renderError(tooLarge(limit), c);
    }
  };
}
