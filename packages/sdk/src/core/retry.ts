// When to retry a failed attempt and how long to wait first. Pure functions: the clock and the
// random source are parameters, so the policy is tested without waiting.

/** Backoff bounds, as openai-node: 0.5 s doubling up to 8 s, minus up to 25 % jitter. */
export const INITIAL_RETRY_DELAY_MS = 500;
export const MAX_RETRY_DELAY_MS = 8_000;
/** A server-sent Retry-After longer than this is ignored in favour of the backoff. */
export const MAX_RETRY_AFTER_MS = 60_000;

/**
 * Whether a response is worth retrying: 408, 429 and 5xx. 409 is a state conflict
 * (`conversation_busy`, `invalid_state`, `idempotency_conflict`) that a retry does not fix.
 * The server may override with `x-should-retry: true|false`.
 */
export function shouldRetryStatus(status: number, headers: Headers): boolean {
  const hint = headers.get("x-should-retry");
  if (hint === "true") return true;
  if (hint === "false") return false;
  return status === 408 || status === 429 || status >= 500;
}

/** Milliseconds the server asked to wait (`retry-after-ms`, `retry-after` seconds or HTTP date). */
export function retryAfterMs(headers: Headers | undefined, now: number): number | undefined {
  if (!headers) return undefined;
  const ms = headers.get("retry-after-ms");
  if (ms !== null && ms.trim() !== "" && Number.isFinite(Number(ms))) return Number(ms);
  const value = headers.get("retry-after");
  if (value === null || value.trim() === "") return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : date - now;
}

/**
 * The wait before retry number `retriesDone + 1`: the server's Retry-After when it is sane
 * (0–60 s), else jittered exponential backoff.
 */
export function retryDelayMs(
  retriesDone: number,
  headers: Headers | undefined,
  now: number,
  random: () => number = Math.random,
): number {
  const asked = retryAfterMs(headers, now);
  if (asked !== undefined && asked >= 0 && asked <= MAX_RETRY_AFTER_MS) return asked;
  const base = Math.min(INITIAL_RETRY_DELAY_MS * 2 ** retriesDone, MAX_RETRY_DELAY_MS);
  return base * (1 - random() * 0.25);
}

/** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
