import { describe, expect, it } from "vitest";
import { nextAdmission, type QueuedWork } from "./tenant-share.js";

const q = (...items: [string, number][]): QueuedWork[] => items.map(([tenant, rows]) => ({ tenant, rows }));
const use = (entries: Record<string, number>) => new Map(Object.entries(entries));

describe("nextAdmission", () => {
  it("admits in order while every tenant is under its share", () => {
    expect(nextAdmission(q(["a", 1], ["b", 1]), use({}), { freeRows: 8, tenantRows: 4 })).toBe(0);
  });

  it("passes over a tenant at its share: the other tenant's request goes first", () => {
    // A holds 4 rows (its share) with a backlog; B's request is last in the queue.
    const queue = q(["a", 1], ["a", 1], ["a", 1], ["b", 1]);
    expect(nextAdmission(queue, use({ a: 4 }), { freeRows: 4, tenantRows: 4 })).toBe(3);
    // Nothing else is admissible while A is at its share, even with free rows.
    expect(nextAdmission(q(["a", 1]), use({ a: 4 }), { freeRows: 4, tenantRows: 4 })).toBe(-1);
  });

  it("serves the tenant holding the fewest rows first, the oldest of equals", () => {
    const queue = q(["a", 1], ["b", 1], ["c", 1]);
    expect(nextAdmission(queue, use({ a: 2, b: 1 }), { freeRows: 3, tenantRows: 4 })).toBe(2);
    expect(nextAdmission(queue, use({ a: 1, b: 1, c: 1 }), { freeRows: 3, tenantRows: 4 })).toBe(0);
  });

  it("counts a wide request's rows against its tenant's share", () => {
    // A beam of 4 with 1 row in use would be 5 > 4.
    expect(nextAdmission(q(["a", 4], ["b", 2]), use({ a: 1 }), { freeRows: 6, tenantRows: 4 })).toBe(1);
  });

  it("waits for rows rather than letting smaller requests pass the chosen one forever", () => {
    expect(nextAdmission(q(["a", 4], ["b", 1]), use({}), { freeRows: 2, tenantRows: 4 })).toBe(-1);
  });
});
