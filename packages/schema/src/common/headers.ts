// Request and response headers of the public API. Response headers are OpenAPI components
// (`#/components/headers/*`) that every route response references by name.
import { z } from "@hono/zod-openapi";

export const HEADERS = {
  requestId: "x-request-id",
  rateLimitLimit: "x-ratelimit-limit",
  rateLimitRemaining: "x-ratelimit-remaining",
  rateLimitReset: "x-ratelimit-reset",
  rateLimitLimitRequests: "x-ratelimit-limit-requests",
  rateLimitRemainingRequests: "x-ratelimit-remaining-requests",
  rateLimitResetRequests: "x-ratelimit-reset-requests",
  retryAfter: "retry-after",
  shouldRetry: "x-should-retry",
  idempotencyKey: "idempotency-key",
} as const;

/** Raw OpenAPI header components, keyed by component name; registered by `buildOpenApiDocument`. */
export const RESPONSE_HEADER_COMPONENTS = {
  RequestId: {
    description: "Id of this request (`req_…`); quote it when reporting a problem. Also in error bodies.",
    schema: { type: "string", example: "req_01hx3c9v7k" },
  },
  RateLimitLimit: {
    description: "Requests allowed per window for this API key.",
    schema: { type: "integer", example: 60 },
  },
  RateLimitRemaining: {
    description: "Requests left in the current window.",
    schema: { type: "integer", example: 59 },
  },
  RateLimitReset: {
    description: "Seconds until the current window resets.",
    schema: { type: "integer", example: 42 },
  },
  RateLimitLimitRequests: {
    description: "OpenAI's name for `x-ratelimit-limit`: requests allowed before the limit is reached.",
    schema: { type: "integer", example: 60 },
  },
  RateLimitRemainingRequests: {
    description: "OpenAI's name for `x-ratelimit-remaining`.",
    schema: { type: "integer", example: 59 },
  },
  RateLimitResetRequests: {
    description: "Time until the request limit is back to full, as OpenAI writes it (`1s`, `1m30s`).",
    schema: { type: "string", example: "6s" },
  },
  ShouldRetry: {
    description:
      "On errors: `true` when the same request may succeed later, `false` when a retry cannot help (the `openai` client obeys it).",
    schema: { type: "string", example: "false" },
  },
  RetryAfter: {
    description: "Seconds to wait before retrying (on 429 and 503).",
    schema: { type: "integer", example: 5 },
  },
} as const;

type HeaderRef = { $ref: string };
const ref = (name: keyof typeof RESPONSE_HEADER_COMPONENTS): HeaderRef => ({ $ref: `#/components/headers/${name}` });

/** The header on every response, rate limited or not. */
export const REQUEST_ID_RESPONSE_HEADERS: Record<string, HeaderRef> = { [HEADERS.requestId]: ref("RequestId") };

/** Headers on every response of an API-key operation. */
export const COMMON_RESPONSE_HEADERS: Record<string, HeaderRef> = {
  [HEADERS.requestId]: ref("RequestId"),
  [HEADERS.rateLimitLimit]: ref("RateLimitLimit"),
  [HEADERS.rateLimitRemaining]: ref("RateLimitRemaining"),
  [HEADERS.rateLimitReset]: ref("RateLimitReset"),
  [HEADERS.rateLimitLimitRequests]: ref("RateLimitLimitRequests"),
  [HEADERS.rateLimitRemainingRequests]: ref("RateLimitRemainingRequests"),
  [HEADERS.rateLimitResetRequests]: ref("RateLimitResetRequests"),
};

/** Headers on every error response of an API-key operation. */
export const ERROR_RESPONSE_HEADERS: Record<string, HeaderRef> = {
  ...COMMON_RESPONSE_HEADERS,
  [HEADERS.shouldRetry]: ref("ShouldRetry"),
};

/** Headers on 429 and 503 responses. */
export const RETRY_RESPONSE_HEADERS: Record<string, HeaderRef> = {
  ...ERROR_RESPONSE_HEADERS,
  "Retry-After": ref("RetryAfter"),
};

/** Request headers of every POST that creates something: retries with the same key are safe. */
export const IdempotencyHeaders = z.object({
  [HEADERS.idempotencyKey]: z.string().min(1).max(255).optional().openapi({
    description:
      "Makes a retried POST safe: within 24 h, a request with the same key and body gets the first response again; the same key with a different body is rejected with `idempotency_conflict`.",
    example: "4f0b2a5e-8c1d-4f7a-9a43-1c2d3e4f5a6b",
  }),
});
