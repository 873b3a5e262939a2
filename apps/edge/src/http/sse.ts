// The response around a server-sent event stream. Headers set earlier on the context
// (request id, rate limits) are kept; proxies are told not to buffer.
import { SSE_CONTENT_TYPE } from "@mmgpt/schema";
import type { Context } from "hono";
import type { AppEnv } from "../env";

export function sseResponse(c: Context<AppEnv>, body: ReadableStream<Uint8Array>, pumped: Promise<void>): Response {
  // The relay must finish (and commit or record a failure) even if the client is gone.
  c.executionCtx.waitUntil(pumped);
  return c.body(body, 200, {
    "content-type": `${SSE_CONTENT_TYPE}; charset=utf-8`,
    "cache-control": "no-cache",
    "x-accel-buffering": "no",
  });
}
