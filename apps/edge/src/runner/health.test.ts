import { describe, expect, it } from "vitest";
import { healthyFirst, isHealthy, markHealthy, markUnhealthy, UNHEALTHY_MS } from "./health";

describe("runner health", () => {
  it("puts a frozen runner last for UNHEALTHY_MS, keeping it as a last resort", () => {
    const now = 1_000_000;
    markUnhealthy("http://b.test", now);
    expect(healthyFirst(["http://b.test", "http://a.test", "http://c.test"], now)).toEqual([
      "http://a.test",
      "http://c.test",
      "http://b.test",
    ]);
    expect(healthyFirst(["http://b.test"], now)).toEqual(["http://b.test"]);
    expect(isHealthy("http://b.test", now + UNHEALTHY_MS - 1)).toBe(false);
    expect(isHealthy("http://b.test", now + UNHEALTHY_MS)).toBe(true);
  });

  it("a completed reply makes a runner healthy again at once", () => {
    markUnhealthy("http://d.test", 5);
    markHealthy("http://d.test");
    expect(isHealthy("http://d.test", 6)).toBe(true);
  });
});
