// Partial selection (top-k ids in one pass, nucleus by quickselect) against full sorts.
import { describe, expect, it } from "vitest";
import { createRng } from "../../weights/prng.js";
import { nucleusLength, selectNucleus } from "./nucleus.js";
import { idsAbove, idsAtLeast, topKIds } from "./partial-select.js";

const rng = createRng(3);
/** A row with many exact ties, as fp16 logits have. */
const coarseRow = (n: number) => Float32Array.from({ length: n }, () => Math.round(rng.normal() * 4) / 2);

describe("topKIds", () => {
  it("returns HF's kept set in rank order, boundary ties included", () => {
    for (let trial = 0; trial < 50; trial++) {
      const row = coarseRow(3000);
      const k = 1 + (trial % 40);
      const sorted = idsAtLeast(row, -Infinity);
      const kth = row[sorted[k - 1]];
      expect([...topKIds(row, k)]).toEqual([...sorted].filter((id) => row[id] >= kth));
    }
  });

  it("skips -Infinity and handles k ≥ vocab", () => {
    const row = Float32Array.of(1, -Infinity, 3, -Infinity);
    expect([...topKIds(row, 3)]).toEqual([2, 0]);
    expect([...topKIds(row, 9)]).toEqual([2, 0]);
  });
});

describe("selectNucleus", () => {
  it("keeps exactly the tokens the sorted walk keeps, ties included", () => {
    for (let trial = 0; trial < 200; trial++) {
      const row = coarseRow(500);
      const max = Math.max(...row);
      const sorted = idsAtLeast(row, -Infinity);
      const sortedWeights = Float64Array.from(sorted, (id) => Math.exp(row[id] - max));
      const total = sortedWeights.reduce((a, b) => a + b, 0);
      const target = rng.uniform() * total;
      const want = nucleusLength(sortedWeights, target);

      const ids = idsAbove(row, -Infinity);
      const weights = Float64Array.from(ids, (id) => Math.exp(row[id] - max));
      const kept = selectNucleus(ids, weights, row, target);
      expect(kept).toBe(want);
      expect([...ids.subarray(0, kept)].sort((a, b) => a - b)).toEqual(
        [...sorted.subarray(0, want)].sort((a, b) => a - b),
      );
    }
  });

  it("keeps the top token even for a zero target", () => {
    const row = Float32Array.of(0, 2, 1);
    const ids = idsAbove(row, -Infinity);
    expect(
      selectNucleus(
        ids,
        Float64Array.from(ids, (id) => Math.exp(row[id])),
        row,
        0,
      ),
    ).toBe(1);
    expect(ids[0]).toBe(1);
  });
});
