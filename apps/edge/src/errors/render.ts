// Renders every failure into the public envelope `{error:{type, code, message, param,
// request_id}}` plus `x-should-retry`: ApiError as is, Hono's HTTPException (malformed JSON…) as a 4xx, a bad
// configuration as a 500 naming the variables, anything else as a 500 that hides its details.
import { errorEnvelope } from "@mmgpt/schema";
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { EdgeConfigError } from "../config";
import type { AppEnv } from "../env";
import { ApiError } from "./api-error";

export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof EdgeConfigError) {
    const names = [...new Set(error.names)].join(", ");
    return new ApiError("internal_error", `The edge is misconfigured (${names}); the worker log says how.`, {
      shouldRetry: false, // until an operator fixes the variables
    });
  }
  if (error instanceof HTTPException) {
    if (error.status === 401) return new ApiError("invalid_api_key", error.message);
    if (error.status === 413) return new ApiError("payload_too_large", error.message || "The body is too large.");
    if (error.status === 415) {
      return new ApiError("unsupported_media_type", error.message || "The Content-Type is not accepted.");
    }
    if (error.status < 500) {
      return new ApiError("invalid_request_error", error.message || "Invalid request.", { status: error.status });
    }
  }
  return new ApiError("internal_error", "The server failed to handle the request; it is safe to retry.", {
    cause: error,
  });
}

export function renderError(error: unknown, c: Context<AppEnv>): Response {
  const apiError = toApiError(error);
  const requestId = c.get("requestId") ?? "req_unknown";
  if (apiError.code === "internal_error" && apiError.status === 500) {
    console.error(`[${requestId}] unhandled error`, apiError.cause ?? apiError);
  }
  const body = errorEnvelope(apiError.code, apiError.message, requestId, apiError.param);
  const headers: Record<string, string> = {
    "x-request-id": requestId,
    // The `openai` client retries 408, 409, 429 and 5xx unless told otherwise.
    "x-should-retry": String(apiError.shouldRetry),
  };
  if (apiError.retryAfter !== undefined) headers["retry-after"] = String(Math.max(1, Math.ceil(apiError.retryAfter)));
  return c.json(body, apiError.status as 400, headers);
}
