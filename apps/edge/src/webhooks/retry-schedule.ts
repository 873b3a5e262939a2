// When to retry an unacknowledged delivery: the contract's WEBHOOK_RETRY_DELAYS_SECONDS (which
// sum to about 17.6 h), then the last delay again until 24 h have passed since the first
// attempt, each with ±10 % jitter so failed receivers are not hit in lockstep. After that the
// delivery is marked failed.
import { WEBHOOK_RETRY_DELAYS_SECONDS } from "@mmgpt/schema";

/** Deliveries are retried for at least this long. */
export const WEBHOOK_RETRY_WINDOW_SECONDS = 24 * 3600;

/**
 * Seconds until the next attempt after `attempts` failed ones, or null to give up.
 * `elapsedSeconds` is the time since the first attempt.
 */
export function nextRetryDelay(attempts: number, elapsedSeconds: number, random = Math.random): number | null {
  const delays = WEBHOOK_RETRY_DELAYS_SECONDS;
  if (attempts > delays.length && elapsedSeconds >= WEBHOOK_RETRY_WINDOW_SECONDS) return null;
  const base = delays[Math.min(attempts, delays.length) - 1] ?? delays[0];
  return Math.max(1, Math.round(base * (0.9 + 0.2 * random())));
}
