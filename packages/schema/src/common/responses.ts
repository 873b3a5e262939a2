// Builders for route responses, so that every operation documents the same headers and the
// same error envelope. Route files list statuses; this file owns how they look.
import type { z } from "@hono/zod-openapi";
import { codesForStatus, ERROR_CODES, ErrorEnvelope, errorEnvelope } from "./errors";
import { COMMON_RESPONSE_HEADERS, ERROR_RESPONSE_HEADERS, RETRY_RESPONSE_HEADERS } from "./headers";

/** A 2xx JSON response with the common headers (or `headers`) and an example. */
export function jsonResponse<S extends z.ZodType>(
  schema: S,
  description: string,
  example: z.input<S>,
  headers: Record<string, { $ref: string }> = COMMON_RESPONSE_HEADERS,
) {
  return {
    description,
    headers,
    content: { "application/json": { schema, example } },
  };
}

export const ERROR_STATUSES = [400, 401, 403, 404, 409, 413, 415, 429, 500, 503, 504] as const;
export type ErrorStatus = (typeof ERROR_STATUSES)[number];

const STATUS_TEXT: Record<ErrorStatus, string> = {
  400: "Invalid request",
  401: "Missing or invalid credentials",
  403: "Not allowed",
  404: "Not found",
  409: "Conflict",
  413: "Payload too large",
  415: "Unsupported media type",
  429: "Rate limited",
  500: "Internal error",
  503: "Unavailable",
  504: "Upstream timeout",
};

export type ErrorResponse = {
  description: string;
  headers: typeof COMMON_RESPONSE_HEADERS;
  content: { "application/json": { schema: typeof ErrorEnvelope; example: ErrorEnvelope } };
};

function errorResponse(status: ErrorStatus): ErrorResponse {
  const codes = codesForStatus(status);
  const first = codes[0]!;
  const retry = status === 429 || status === 503;
  return {
    description: `${STATUS_TEXT[status]}. \`error.code\` is one of: ${codes.map((c) => `\`${c}\``).join(", ")}.`,
    headers: retry ? RETRY_RESPONSE_HEADERS : ERROR_RESPONSE_HEADERS,
    content: {
      "application/json": {
        schema: ErrorEnvelope,
        example: errorEnvelope(first, ERROR_CODES[first].description, "req_01hx3c9v7k"),
      },
    },
  };
}

/** Error responses for the given statuses, all with the envelope. */
export function errorResponses<const S extends readonly ErrorStatus[]>(
  ...statuses: S
): Record<S[number], ErrorResponse> {
  const out = {} as Record<S[number], ErrorResponse>;
  for (const status of statuses) out[status as S[number]] = errorResponse(status);
  return out;
}

/** Errors any authenticated operation may answer with (413: every route caps its body). */
export const BASE_ERRORS = [400, 401, 413, 429, 500] as const;
/** Errors of an operation that runs the model. */
export const GENERATION_ERRORS = [400, 401, 404, 409, 413, 429, 500, 503, 504] as const;
