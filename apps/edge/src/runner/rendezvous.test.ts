import { describe, expect, it } from "vitest";
import { rendezvousOrder } from "./rendezvous";

const RUNNERS = ["http://r1:8080", "http://r2:8080", "http://r3:8080", "http://r4:8080"];
const KEYS = Array.from({ length: 2000 }, (_, i) => `conv_${i.toString(36).padStart(6, "0")}`);

describe("rendezvousOrder", () => {
  it("is stable: the same key gets the same order, whatever the list order", () => {
    for (const key of KEYS.slice(0, 50)) {
      expect(rendezvousOrder([...RUNNERS].reverse(), key)).toEqual(rendezvousOrder(RUNNERS, key));
    }
  });

  it("spreads keys evenly", () => {
    const counts = new Map<string, number>();
    for (const key of KEYS) {
      const winner = rendezvousOrder(RUNNERS, key)[0];
      counts.set(winner, (counts.get(winner) ?? 0) + 1);
    }
    for (const runner of RUNNERS) expect(counts.get(runner)).toBeGreaterThan((KEYS.length / RUNNERS.length) * 0.8);
  });

  it("moves only the removed runner's keys, each to its own second choice", () => {
    const without = RUNNERS.filter((r) => r !== "http://r2:8080");
    for (const key of KEYS) {
      const before = rendezvousOrder(RUNNERS, key);
      const after = rendezvousOrder(without, key);
      expect(after[0]).toBe(before[0] === "http://r2:8080" ? before[1] : before[0]);
    }
  });

  it("moves only about 1/n of the keys to an added runner", () => {
    const added = [...RUNNERS, "http://r5:8080"];
    const moved = KEYS.filter((key) => rendezvousOrder(RUNNERS, key)[0] !== rendezvousOrder(added, key)[0]);
    expect(moved.every((key) => rendezvousOrder(added, key)[0] === "http://r5:8080")).toBe(true);
    expect(moved.length / KEYS.length).toBeGreaterThan(0.12);
    expect(moved.length / KEYS.length).toBeLessThan(0.28);
  });
});
