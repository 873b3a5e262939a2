// The one error envelope of the public API, and the table of error codes it may carry.
// Every 4xx/5xx response of every operation uses `ErrorEnvelope`; the edge renders all
// failures through it, so a client needs exactly one error parser.
import { z } from "@hono/zod-openapi";

/**
 * Error types, as OpenAI's API sends them: `invalid_request_error` for every 4xx but a rate
 * limit (401 and 404 included), `requests` for a request-rate limit, `server_error` for 5xx.
 * A client may branch on `type`; `code` is finer.
 */
export const ERROR_TYPES = ["invalid_request_error", "requests", "server_error"] as const;
export type ErrorType = (typeof ERROR_TYPES)[number];

/**
 * Every error code the API returns, with its type, HTTP status and whether a retry of the same
 * request can succeed (sent as `x-should-retry`: the `openai` client otherwise retries every 409
 * and 5xx). Invariant: a code always comes with the same type and status, so the edge only
 * picks the code. Where OpenAI has a code for the case, it is OpenAI's.
 */
export const ERROR_CODES = {
  invalid_request_error: {
    type: "invalid_request_error",
    status: 400,
    retry: false,
    description: "The request is malformed.",
  },
  invalid_image: {
    type: "invalid_request_error",
    status: 400,
    retry: false,
    description: "An image could not be decoded.",
  },
  image_fetch_failed: {
    type: "invalid_request_error",
    status: 400,
    retry: false,
    description: "An https image URL could not be fetched.",
  },
  context_length_exceeded: {
    type: "invalid_request_error",
    status: 400,
    retry: false,
    description: "Prompt plus max_tokens exceeds the model's context.",
  },
  payload_too_large: {
    type: "invalid_request_error",
    status: 413,
    retry: false,
    description: "The body or file is too large.",
  },
  unsupported_media_type: {
    type: "invalid_request_error",
    status: 415,
    retry: false,
    description: "The Content-Type is not accepted.",
  },
  invalid_api_key: {
    type: "invalid_request_error",
    status: 401,
    retry: false,
    description: "Missing or invalid API key (or admin token).",
  },
  permission_error: {
    type: "invalid_request_error",
    status: 403,
    retry: false,
    description: "The key may not do this.",
  },
  not_found: { type: "invalid_request_error", status: 404, retry: false, description: "No such resource (or route)." },
  model_not_found: {
    type: "invalid_request_error",
    status: 404,
    retry: false,
    description: "The model does not exist or is not served.",
  },
  conversation_busy: {
    type: "invalid_request_error",
    status: 409,
    retry: false,
    description: "The conversation is generating a reply already.",
  },
  idempotency_conflict: {
    type: "invalid_request_error",
    status: 409,
    retry: false,
    description: "The Idempotency-Key was used with a different request, or its first request is still running.",
  },
  invalid_state: {
    type: "invalid_request_error",
    status: 409,
    retry: false,
    description: "The resource is not in a state that allows this (e.g. cancel a finished batch).",
  },
  rate_limit_exceeded: {
    type: "requests",
    status: 429,
    retry: true,
    description: "Too many requests; see Retry-After.",
  },
  internal_error: { type: "server_error", status: 500, retry: true, description: "Unexpected failure; safe to retry." },
  runner_unavailable: {
    type: "server_error",
    status: 503,
    retry: true,
    description: "No model runner is available; see Retry-After.",
  },
  runner_timeout: {
    type: "server_error",
    status: 504,
    retry: false,
    description: "The model runner did not answer within the edge's timeout; the same request would time out again.",
  },
} as const satisfies Record<string, { type: ErrorType; status: number; retry: boolean; description: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;
export const ERROR_CODE_NAMES = Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]];

export const ErrorObject = z
  .object({
    type: z.enum(ERROR_TYPES),
    code: z.enum(ERROR_CODE_NAMES),
    message: z.string().openapi({ description: "Human-readable; do not parse it." }),
    param: z
      .string()
      .nullable()
      .openapi({ description: "The offending request field as a dotted path (e.g. `messages.0.content`), if any." }),
    request_id: z.string().openapi({ description: "Same as the `x-request-id` response header.", example: "req_abc" }),
  })
  .openapi("Error");
export type ErrorObject = z.infer<typeof ErrorObject>;

export const ErrorEnvelope = z.object({ error: ErrorObject }).openapi("ErrorEnvelope", {
  description:
    "The body of every 4xx/5xx response. `type` is OpenAI's error type; `code` is one of the documented codes. The `x-should-retry` header says whether the same request can succeed later.",
});
export type ErrorEnvelope = z.infer<typeof ErrorEnvelope>;

/** Builds an envelope for `code`, with its type fixed by the table. */
export function errorEnvelope(
  code: ErrorCode,
  message: string,
  requestId: string,
  param: string | null = null,
): ErrorEnvelope {
  return { error: { type: ERROR_CODES[code].type, code, message, param, request_id: requestId } };
}

/** The codes that answer with a given HTTP status, in table order. */
export function codesForStatus(status: number): ErrorCode[] {
  return ERROR_CODE_NAMES.filter((code) => ERROR_CODES[code].status === status);
}

/** `param` for a validation issue: its path joined with dots (`messages.0.content`), or null at the root. */
export function issueParam(path: ReadonlyArray<PropertyKey>): string | null {
  return path.length === 0 ? null : path.map(String).join(".");
}

type Issue = {
  path: ReadonlyArray<PropertyKey>;
  message: string;
  code?: string;
  keys?: string[];
  errors?: Issue[][];
};

/**
 * The issue to report: the first one, except that a union every branch of which failed (e.g.
 * content given as a string or as parts) reports the branch that got furthest — the one whose
 * first issue lies deepest — so a bad part names its own field rather than the whole union.
 */
export function firstIssue(issues: ReadonlyArray<Issue>): Issue | undefined {
  const issue = issues[0];
  if (issue?.code !== "invalid_union" || !issue.errors?.length) return issue;
  const deepest = issue.errors
    .map((branch) => firstIssue(branch))
    .filter((i): i is Issue => i !== undefined && i.path.length > 0)
    .sort((a, b) => b.path.length - a.path.length)[0];
  return deepest ? { ...deepest, path: [...issue.path, ...deepest.path] } : issue;
}

/** The first issue of a failed validation as the envelope shows it: its message and `param`. */
export function describeIssues(issues: ReadonlyArray<Issue>): { message: string; param: string | null } {
  const issue = firstIssue(issues);
  if (!issue) return { message: "Invalid request.", param: null };
  // An unknown field is reported by its own name, as OpenAI does (`param: "tools"`).
  const unknown = issue.code === "unrecognized_keys" ? issue.keys?.[0] : undefined;
  const param = issueParam(unknown === undefined ? issue.path : [...issue.path, unknown]);
  const reason = unknown === undefined ? issue.message : "unknown or unsupported field";
  return { message: param ? `${param}: ${reason}` : reason, param };
}

/** The envelope for a failed validation: the first issue's message and path. */
export function validationErrorEnvelope(error: { issues: ReadonlyArray<Issue> }, requestId: string): ErrorEnvelope {
  const { message, param } = describeIssues(error.issues);
  return errorEnvelope("invalid_request_error", message, requestId, param);
}
