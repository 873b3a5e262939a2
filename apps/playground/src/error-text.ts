// Turns what the SDK throws into one sentence for the page: the API envelope's own message,
// with the wait a 429 or 503 asks for and the request id to quote when reporting a problem.
import { APIConnectionError, APIError, AuthenticationError, MMGPTError, RateLimitError } from "@mmgpt/sdk";

export function errorText(error: unknown): string {
  if (error instanceof APIConnectionError) {
    return "Could not reach the API (connection failed). Is the server running?";
  }
  if (error instanceof APIError) {
    const message = error.error?.message ?? error.message;
    const id = error.requestId ? ` (request ${error.requestId})` : "";
    const seconds = retryAfter(error.headers);
    // The API's own 429 message already says "retry in N s"; add the wait only when it does not.
    const wait = seconds !== null && !/\d\s*s\b/.test(message) ? ` Try again in ${seconds} s.` : "";
    if (error instanceof RateLimitError) {
      return `Rate limit reached: ${message}${wait}${id}`;
    }
    if (error instanceof AuthenticationError) return `The API key was refused: ${message}${id}`;
    if (error.status === 503) {
      return `The model is unavailable right now: ${message}${wait}${id}`;
    }
    if (error.status === undefined) return `The reply failed: ${message}${id}`;
    return `${message}${id}`;
  }
  if (error instanceof MMGPTError) return error.message;
  return error instanceof Error ? error.message : String(error);
}

/** Whole seconds from `Retry-After` (seconds or an HTTP date); null when absent. */
export function retryAfter(headers: Headers | undefined, now = Date.now()): number | null {
  const value = headers?.get("retry-after");
  if (!value) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds));
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, Math.ceil((date - now) / 1000));
}
