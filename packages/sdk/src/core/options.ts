// Options of the client and of each call, and the small types they share.

/** The fetch the SDK calls; any WHATWG-compatible implementation works. */
export type Fetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

export interface ClientOptions {
  /** Defaults to `process.env.MMGPT_API_KEY` where `process` exists. */
  apiKey?: string;
  /**
   * The API origin, e.g. `http://localhost:8787`. A trailing `/v1` is accepted and dropped.
   * Defaults to `process.env.MMGPT_BASE_URL` where `process` exists.
   */
  baseURL?: string;
  /** Defaults to the global fetch. Inject one for tests or custom transports. */
  fetch?: Fetch;
  /** Retries after 408, 429, 5xx and connection errors. Default 2. */
  maxRetries?: number;
  /** Milliseconds to wait for a response's headers, per attempt. Default 10 minutes. */
  timeout?: number;
  /** Sent with every request; a per-request header of the same name wins. */
  defaultHeaders?: Record<string, string>;
  /** Waits between retries. Tests inject one to observe the delays without waiting. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** The last argument of every method. */
export interface RequestOptions {
  /** Aborts the call (and a stream it returned); rejects with `APIUserAbortError`. */
  signal?: AbortSignal;
  /** Overrides the client's `timeout` (milliseconds) for this call. */
  timeout?: number;
  /** Overrides the client's `maxRetries` for this call. */
  maxRetries?: number;
  /** Extra headers; `null` removes a default header. */
  headers?: Record<string, string | null>;
  /** POST only: the `Idempotency-Key`. Generated per call (and reused by its retries) when omitted. */
  idempotencyKey?: string;
}

/** A parsed JSON response; `_request_id` (non-enumerable) is the response's `x-request-id`. */
export type WithRequestId<T> = T & { readonly _request_id?: string | null };
