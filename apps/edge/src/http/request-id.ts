// Request ids: the caller's `x-request-id` when it is sane, else a fresh `req_…`. It is echoed
// on every response, put in every error body and forwarded to the runner.
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../env";
import { newId } from "./ids";

const SANE = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestId(): MiddlewareHandler<AppEnv> {
  return async function requestIdMiddleware(c, next) {
    const given = c.req.header("x-request-id");
    const id = given && SANE.test(given) ? given : newId("req_");
    c.set("requestId", id);
    c.header("x-request-id", id);
    await next();
  };
}
