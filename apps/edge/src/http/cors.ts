// CORS for browser apps (CORS_ORIGINS): preflights are answered here, before authentication
// (a browser never sends credentials on a preflight), and every other response of an allowed
// origin, errors included, carries the headers that let the page read it.
import type { MiddlewareHandler } from "hono";
import { type EdgeConfig, edgeConfig } from "../config";
import type { AppEnv, Bindings } from "../env";

/**
 * Request headers a page may send: ours, what the `openai` client (`openai-*`, `x-stainless-*`),
 * the Vercel AI SDK (`user-agent` where the browser lets it through) and our SDK set, what
 * tracing libraries add to every fetch of an instrumented app (W3C `traceparent`/`tracestate`,
 * `baggage`, `sentry-trace`), and SSE readers' `cache-control`/`last-event-id`. Anything else
 * fails the preflight, so the browser names the header in its console.
 */
const ALLOWED_REQUEST_HEADER =
  /^(authorization|content-type|accept|idempotency-key|x-request-id|user-agent|openai-[a-z0-9-]+|x-stainless-[a-z0-9-]+|traceparent|tracestate|baggage|sentry-trace|cache-control|last-event-id)$/;

/** Response headers a page may read (the CORS-safelisted ones need no listing). */
export const EXPOSED_HEADERS = [
  "x-request-id",
  "x-ratelimit-limit",
  "x-ratelimit-remaining",
  "x-ratelimit-reset",
  "x-ratelimit-limit-requests",
  "x-ratelimit-remaining-requests",
  "x-ratelimit-reset-requests",
  "x-ratelimit-limit-tokens",
  "x-ratelimit-remaining-tokens",
  "x-ratelimit-reset-tokens",
  "retry-after",
  "x-should-retry",
  "idempotent-replayed",
].join(", ");

const ALLOWED_METHODS = "GET, POST, DELETE";
/** Seconds a browser may cache a preflight (Chromium caps it at 7200). */
const PREFLIGHT_MAX_AGE = "7200";

/** The `Access-Control-Allow-Origin` value for `origin`, or null when it is not allowed. */
export function allowedOrigin(origins: EdgeConfig["corsOrigins"], origin: string | undefined): string | null {
  if (!origin) return null;
  if (origins === "*") return "*";
  return origins.includes(origin.toLowerCase()) ? origin : null;
}

/** The requested headers that may be sent, or null when one of them may not. */
export function allowedRequestHeaders(requested: string | undefined): string | null {
  const names = (requested ?? "")
    .split(",")
    .map((name) => name.trim().toLowerCase())
    .filter(Boolean);
  return names.every((name) => ALLOWED_REQUEST_HEADER.test(name)) ? names.join(", ") : null;
}

function corsOrigins(env: Bindings): EdgeConfig["corsOrigins"] {
  try {
    return edgeConfig(env).corsOrigins;
  } catch {
    return []; // a misconfigured worker answers 500 to everyone; the config middleware says why
  }
}

export function cors(): MiddlewareHandler<AppEnv> {
  return async function corsMiddleware(c, next) {
    const origins = corsOrigins(c.env);
    const allow = allowedOrigin(origins, c.req.header("origin"));
    const preflight = c.req.method === "OPTIONS" && c.req.header("access-control-request-method") !== undefined;
    if (preflight) {
      // Answered whatever the origin: without the allow headers the browser blocks the request.
      const headers: Record<string, string> = { vary: "Origin, Access-Control-Request-Headers" };
      const requested = allowedRequestHeaders(c.req.header("access-control-request-headers"));
      if (allow && requested !== null) {
        headers["access-control-allow-origin"] = allow;
        headers["access-control-allow-methods"] = ALLOWED_METHODS;
        if (requested) headers["access-control-allow-headers"] = requested;
        headers["access-control-max-age"] = PREFLIGHT_MAX_AGE;
      }
      return c.body(null, 204, headers);
    }
    // Set on c.res before the route runs: Hono copies them onto whatever response the route or
    // onError produces, including a Response built elsewhere (a relayed stream, an R2 body).
    if (origins !== "*") c.res.headers.append("vary", "Origin"); // shared caches must key on it
    if (allow) {
      c.res.headers.set("access-control-allow-origin", allow);
      c.res.headers.set("access-control-expose-headers", EXPOSED_HEADERS);
    }
    await next();
  };
}
