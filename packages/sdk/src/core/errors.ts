// The SDK's error classes: one subclass per HTTP status (openai-node's shape), each carrying the
// API's error envelope fields and the request id, plus connection, timeout and abort errors.
import type { components } from "../generated/openapi";

type ErrorBody = components["schemas"]["Error"];
export type ErrorType = ErrorBody["type"];
export type ErrorCode = ErrorBody["code"];

/** Root of every error the SDK throws. */
export class MMGPTError extends Error {
  override name = "MMGPTError";
}

/** A request that reached the API (or failed on its way) and did not succeed. */
export class APIError extends MMGPTError {
  override name = "APIError";
  /** HTTP status; undefined for connection errors and errors sent inside a stream. */
  readonly status: number | undefined;
  readonly type: ErrorType | undefined;
  readonly code: ErrorCode | undefined;
  readonly param: string | null;
  /** The envelope's `request_id`, else the `x-request-id` response header. */
  readonly requestId: string | null;
  readonly headers: Headers | undefined;
  /** The parsed `error` object of the envelope, when there was one. */
  readonly error: Partial<ErrorBody> | undefined;

  constructor(
    status: number | undefined,
    error: Partial<ErrorBody> | undefined,
    message: string | undefined,
    headers: Headers | undefined,
  ) {
    super(APIError.describe(status, error, message));
    this.status = status;
    this.error = error;
    this.headers = headers;
    this.type = error?.type;
    this.code = error?.code;
    this.param = error?.param ?? null;
    this.requestId = error?.request_id ?? headers?.get("x-request-id") ?? null;
  }

  private static describe(status: number | undefined, error: Partial<ErrorBody> | undefined, message?: string) {
    const text = error?.message ?? message;
    if (status !== undefined && text) return `${status} ${text}`;
    if (status !== undefined) return `${status} status code (no body)`;
    return text ?? "(no status code or body)";
  }

  /** The subclass for `status`, built from a response's parsed body. */
  static generate(status: number, body: unknown, message: string | undefined, headers: Headers): APIError {
    const error = errorOf(body);
    const Class = classForStatus(status);
    return new Class(status, error, message, headers);
  }
}

export class BadRequestError extends APIError {
  override name = "BadRequestError";
}
export class AuthenticationError extends APIError {
  override name = "AuthenticationError";
}
export class PermissionDeniedError extends APIError {
  override name = "PermissionDeniedError";
}
export class NotFoundError extends APIError {
  override name = "NotFoundError";
}
export class ConflictError extends APIError {
  override name = "ConflictError";
}
export class UnprocessableEntityError extends APIError {
  override name = "UnprocessableEntityError";
}
export class RateLimitError extends APIError {
  override name = "RateLimitError";
}
export class InternalServerError extends APIError {
  override name = "InternalServerError";
}

/** The request was aborted through the caller's signal or `stream.abort()`. */
export class APIUserAbortError extends APIError {
  override name = "APIUserAbortError";
  constructor(message = "Request was aborted.") {
    super(undefined, undefined, message, undefined);
  }
}

/** No response: DNS, TCP, TLS or a reset connection. `cause` holds the fetch error. */
export class APIConnectionError extends APIError {
  override name = "APIConnectionError";
  constructor(message = "Connection error.", options?: { cause?: unknown }) {
    super(undefined, undefined, message, undefined);
    if (options?.cause !== undefined) this.cause = options.cause;
  }
}

/** No response within `timeout` milliseconds. */
export class APIConnectionTimeoutError extends APIConnectionError {
  override name = "APIConnectionTimeoutError";
  constructor(message = "Request timed out.") {
    super(message);
  }
}

/** A webhook whose signature, timestamp or headers do not check out. */
export class WebhookVerificationError extends MMGPTError {
  override name = "WebhookVerificationError";
}

type APIErrorClass = new (
  status: number | undefined,
  error: Partial<ErrorBody> | undefined,
  message: string | undefined,
  headers: Headers | undefined,
) => APIError;

const BY_STATUS: Record<number, APIErrorClass> = {
  400: BadRequestError,
  401: AuthenticationError,
  403: PermissionDeniedError,
  404: NotFoundError,
  409: ConflictError,
  422: UnprocessableEntityError,
  429: RateLimitError,
};

function classForStatus(status: number): APIErrorClass {
  return BY_STATUS[status] ?? (status >= 500 ? InternalServerError : APIError);
}

/** The `error` object of an envelope `{ error: {...} }`, if `body` is one. */
export function errorOf(body: unknown): Partial<ErrorBody> | undefined {
  if (typeof body !== "object" || body === null || !("error" in body)) return undefined;
  const error = (body as { error: unknown }).error;
  return typeof error === "object" && error !== null ? (error as Partial<ErrorBody>) : undefined;
}
