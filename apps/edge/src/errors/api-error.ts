// The edge's one error type. A code fixes type and status (packages/schema ERROR_CODES);
// `status` may be overridden only where the contract has no code for it (runner 502).
import { ERROR_CODES, type ErrorCode } from "@mmgpt/schema";

export interface ApiErrorOptions {
  param?: string | null;
  status?: number;
  /** Seconds; sent as Retry-After (429, 503). */
  retryAfter?: number;
  /** Overrides the code's `retry` (sent as x-should-retry) where this instance differs. */
  shouldRetry?: boolean;
  cause?: unknown;
}

export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly type: string;
  readonly status: number;
  readonly param: string | null;
  readonly retryAfter: number | undefined;
  readonly shouldRetry: boolean;

  constructor(code: ErrorCode, message: string, options: ApiErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "ApiError";
    this.code = code;
    this.type = ERROR_CODES[code].type;
    this.status = options.status ?? ERROR_CODES[code].status;
    this.param = options.param ?? null;
    this.retryAfter = options.retryAfter;
    this.shouldRetry = options.shouldRetry ?? ERROR_CODES[code].retry;
  }
}

/** The 404 every cross-account or unknown id gets: identical either way, so ids leak nothing. */
export function notFound(what: string, param: string | null = null): ApiError {
  return new ApiError("not_found", `No such ${what}.`, { param });
}
