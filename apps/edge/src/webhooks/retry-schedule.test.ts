import { WEBHOOK_RETRY_DELAYS_SECONDS } from "@mmgpt/schema";
import { describe, expect, it } from "vitest";
import { nextRetryDelay, WEBHOOK_RETRY_WINDOW_SECONDS } from "./retry-schedule";

/** Replays a receiver that never answers 2xx: the time of every attempt, until giving up. */
function attemptTimes(random: () => number): number[] {
  const times = [0];
  for (;;) {
    const delay = nextRetryDelay(times.length, times.at(-1)!, random);
    if (delay === null) return times;
    times.push(times.at(-1)! + delay);
  }
}

describe("webhook retry schedule", () => {
  it("follows the contract's delays, then keeps retrying until 24 h have passed", () => {
    const times = attemptTimes(() => 0.5);
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    expect(gaps.slice(0, WEBHOOK_RETRY_DELAYS_SECONDS.length)).toEqual([...WEBHOOK_RETRY_DELAYS_SECONDS]);
    expect(times.at(-1)).toBeGreaterThanOrEqual(WEBHOOK_RETRY_WINDOW_SECONDS);
    expect(times.at(-2)).toBeLessThan(WEBHOOK_RETRY_WINDOW_SECONDS);
  });

  it("jitters every delay by at most 10 % and still covers 24 h at the low end", () => {
    for (const random of [() => 0, () => 0.999]) {
      expect(attemptTimes(random).at(-1)).toBeGreaterThanOrEqual(WEBHOOK_RETRY_WINDOW_SECONDS);
    }
    expect(nextRetryDelay(2, 5, () => 0)).toBe(270);
    expect(nextRetryDelay(2, 5, () => 0.999)).toBe(330);
    expect(nextRetryDelay(6, 0, () => 0.999)).toBeLessThanOrEqual(39_600);
  });
});
