// The one place that talks HTTP: builds each request, runs attempts with a timeout, retries
// with Retry-After or backoff, keeps one Idempotency-Key per POST call, and maps failures to
// the error classes. Resources call `json()` or `send()`; nothing else calls fetch.
import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError, MMGPTError } from "./errors";
import type { Fetch, RequestOptions, WithRequestId } from "./options";
import { retryDelayMs, shouldRetryStatus } from "./retry";

export type Method = "GET" | "POST" | "DELETE";
export type Query = Record<string, string | number | boolean | null | undefined>;

/** What a resource method asks for. `body` is JSON unless it is FormData. */
export interface APIRequest {
  method: Method;
  path: string;
  query?: Query | undefined;
  body?: unknown;
  /** The `accept` header; JSON unless the call streams. */
  accept?: string;
}

/** A successful response and the controller that can still abort reading its body. */
export interface Sent {
  response: Response;
  controller: AbortController;
  /** Detaches the caller's signal once the body is read (else it keeps aborting the body). */
  release: () => void;
}

export interface TransportConfig {
  apiKey: string;
  baseURL: string;
  fetch: Fetch;
  maxRetries: number;
  timeout: number;
  defaultHeaders: Record<string, string>;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
}

type Attempt = { ok: true; sent: Sent } | { ok: false; error: APIError; retry: boolean; headers?: Headers };

export class Transport {
  constructor(readonly config: TransportConfig) {}

  /** Sends the request and parses the JSON answer, with `_request_id` attached. */
  async json<T>(request: APIRequest, options: RequestOptions = {}): Promise<WithRequestId<T>> {
    const { response, release } = await this.send(request, options);
    let value: T;
    try {
      value = (await response.json()) as T;
    } catch (cause) {
      if (options.signal?.aborted) throw new APIUserAbortError();
      throw new MMGPTError(`Expected a JSON response from ${request.method} ${request.path}.`, { cause });
    } finally {
      release();
    }
    return withRequestId(value, response.headers.get("x-request-id"));
  }

  /** Sends the request with retries; resolves once a 2xx response's headers arrived. */
  async send(request: APIRequest, options: RequestOptions = {}): Promise<Sent> {
    const maxRetries = options.maxRetries ?? this.config.maxRetries;
    const idempotencyKey = request.method === "POST" ? (options.idempotencyKey ?? newIdempotencyKey()) : undefined;
    for (let retriesDone = 0; ; retriesDone++) {
      const attempt = await this.attempt(request, options, idempotencyKey);
      if (attempt.ok) return attempt.sent;
      if (!attempt.retry || retriesDone >= maxRetries) throw attempt.error;
      const delay = retryDelayMs(retriesDone, attempt.headers, Date.now());
      try {
        await this.config.sleep(delay, options.signal);
      } catch {
        throw new APIUserAbortError();
      }
    }
  }

  private async attempt(request: APIRequest, options: RequestOptions, idempotencyKey?: string): Promise<Attempt> {
    const { signal } = options;
    if (signal?.aborted) throw new APIUserAbortError();
    const controller = new AbortController();
    const onAbort = () => controller.abort(signal?.reason);
    signal?.addEventListener("abort", onAbort, { once: true });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, options.timeout ?? this.config.timeout);
    const release = () => signal?.removeEventListener("abort", onAbort);

    let response: Response;
    try {
      response = await this.config.fetch(this.url(request), {
        method: request.method,
        headers: this.headers(request, options, idempotencyKey),
        ...(request.body === undefined ? {} : { body: encodeBody(request.body) }),
        signal: controller.signal,
      });
    } catch (cause) {
      release();
      if (signal?.aborted) throw new APIUserAbortError();
      if (timedOut) return { ok: false, error: new APIConnectionTimeoutError(), retry: true };
      return { ok: false, error: new APIConnectionError(undefined, { cause }), retry: true };
    } finally {
      clearTimeout(timer);
    }

    // On success the abort listener stays until `release`: the caller's signal still cancels the body.
    if (response.ok) return { ok: true, sent: { response, controller, release } };
    release();
    const retry = shouldRetryStatus(response.status, response.headers);
    const text = await response.text().catch(() => "");
    const error = APIError.generate(response.status, parseJson(text), text || undefined, response.headers);
    return { ok: false, error, retry, headers: response.headers };
  }

  private url(request: APIRequest): string {
    const url = new URL(this.config.baseURL + request.path);
    for (const [key, value] of Object.entries(request.query ?? {})) {
      if (value !== undefined && value !== null) url.searchParams.set(key, String(value));
    }
    return url.toString();
  }

  private headers(request: APIRequest, options: RequestOptions, idempotencyKey?: string): Headers {
    const headers = new Headers({
      authorization: `Bearer ${this.config.apiKey}`,
      accept: request.accept ?? "application/json",
    });
    if (request.body !== undefined && !(request.body instanceof FormData))
      headers.set("content-type", "application/json");
    if (idempotencyKey) headers.set("idempotency-key", idempotencyKey);
    for (const [name, value] of Object.entries(this.config.defaultHeaders)) headers.set(name, value);
    for (const [name, value] of Object.entries(options.headers ?? {})) {
      if (value === null) headers.delete(name);
      else headers.set(name, value);
    }
    return headers;
  }
}

/** Attaches `x-request-id` as a non-enumerable `_request_id`, so it never shows in JSON or spreads. */
export function withRequestId<T>(value: T, requestId: string | null): WithRequestId<T> {
  if (typeof value === "object" && value !== null) {
    Object.defineProperty(value, "_request_id", { value: requestId, enumerable: false, configurable: true });
  }
  return value as WithRequestId<T>;
}

/** `mmgpt-<uuid v4>`. `randomUUID` needs a secure context in browsers; `getRandomValues` does not. */
export function newIdempotencyKey(
  crypto: Pick<Crypto, "getRandomValues"> & Partial<Crypto> = globalThis.crypto,
): string {
  if (typeof crypto.randomUUID === "function") return `mmgpt-${crypto.randomUUID()}`;
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `mmgpt-${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function encodeBody(body: unknown): BodyInit {
  return body instanceof FormData ? body : JSON.stringify(body);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
