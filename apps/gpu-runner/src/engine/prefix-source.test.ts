// The slot policy alone: which slot a request takes and where its prefix comes from, from
// nothing but what each row holds (no model, no KV buffers).
import { describe, expect, it } from "vitest";
import { choosePrefixSource, type PrefixCandidate, type PrefixPolicy } from "./prefix-source.js";

const policy = (promptLength: number, over: Partial<PrefixPolicy> = {}): PrefixPolicy => ({
  promptLength,
  prefixCache: true,
  shortTail: 64,
  ...over,
});

/** An idle slot's row (lastUsed doubles as its age: lower is older). */
const idle = (row: number, reusable: number, held: number, lastUsed: number): PrefixCandidate => ({
  row,
  reusable,
  held,
  running: false,
  lastUsed,
});
const running = (row: number, reusable: number, held: number): PrefixCandidate => ({
  row,
  reusable,
  held,
  running: true,
  lastUsed: 1000,
});

describe("choosePrefixSource", () => {
  it("a conversation's next turn takes its own slot: the cache it continues stays in place", () => {
    const rows = [idle(0, 0, 300, 1), idle(1, 480, 500, 5), idle(2, 20, 40, 3)];
    expect(choosePrefixSource(rows, policy(520))).toEqual({ take: 1, reuse: 480, copyFrom: null });
  });

  it("a request sharing only the template with a long idle cache copies it into the least recently used slot", () => {
    const rows = [idle(0, 30, 900, 7), idle(1, 0, 50, 2), idle(2, 0, 10, 4)];
    expect(choosePrefixSource(rows, policy(60))).toEqual({ take: 1, reuse: 30, copyFrom: 0 });
  });

  it("a short unshared tail is worth losing: the slot is taken over rather than copied", () => {
    // 900 − 850 = 50 ≤ max(64, 900/4): taking the slot costs 50 positions nobody asked for.
    const rows = [idle(0, 850, 900, 7), idle(1, 0, 50, 2)];
    expect(choosePrefixSource(rows, policy(870))).toEqual({ take: 0, reuse: 850, copyFrom: null });
    // A quarter of the cache counts as short too.
    const quarter = [idle(0, 700, 900, 7), idle(1, 0, 50, 2)];
    expect(choosePrefixSource(quarter, policy(870))).toEqual({ take: 0, reuse: 700, copyFrom: null });
  });

  it("the best slot that is also the least recently used is taken, whatever its tail", () => {
    const rows = [idle(0, 30, 900, 1), idle(1, 0, 50, 2)];
    expect(choosePrefixSource(rows, policy(60))).toEqual({ take: 0, reuse: 30, copyFrom: null });
  });

  it("a running row that shares more than any idle slot is copied from; running slots are never taken", () => {
    const rows = [running(0, 40, 120), running(1, 12, 60), idle(2, 10, 30, 9), idle(3, 0, 0, 3)];
    expect(choosePrefixSource(rows, policy(70))).toEqual({ take: 3, reuse: 40, copyFrom: 0 });
    // Sharing no more than the best idle slot: no copy from the batch.
    const even = [running(0, 10, 120), idle(1, 10, 12, 9), idle(2, 0, 0, 3)];
    expect(choosePrefixSource(even, policy(70))).toEqual({ take: 1, reuse: 10, copyFrom: null });
  });

  it("never reuses the whole prompt: its last token is run for the first new token's logits", () => {
    const rows = [idle(0, 100, 100, 1), idle(1, 0, 0, 2)];
    expect(choosePrefixSource(rows, policy(100))).toEqual({ take: 0, reuse: 99, copyFrom: null });
    const copy = [running(0, 100, 140), idle(1, 0, 0, 2)];
    expect(choosePrefixSource(copy, policy(100))).toEqual({ take: 1, reuse: 99, copyFrom: 0 });
  });

  it("without reuse anywhere the least recently used slot is taken; equal reuse goes to the older slot", () => {
    const rows = [idle(0, 0, 300, 5), idle(1, 0, 20, 1), idle(2, 0, 80, 3)];
    expect(choosePrefixSource(rows, policy(40))).toEqual({ take: 1, reuse: 0, copyFrom: null });
    const tie = [idle(0, 16, 20, 5), idle(1, 16, 30, 2), idle(2, 0, 0, 1)];
    expect(choosePrefixSource(tie, policy(40)).take).toBe(1);
  });

  it("with the prefix cache off nothing is reused or copied", () => {
    const rows = [running(0, 60, 90), idle(1, 50, 60, 4), idle(2, 0, 0, 1)];
    expect(choosePrefixSource(rows, policy(70, { prefixCache: false }))).toEqual({
      take: 1,
      reuse: 0,
      copyFrom: null,
    });
  });

  it("refuses a table without an idle slot", () => {
    expect(() => choosePrefixSource([running(0, 5, 10)], policy(20))).toThrow(/no idle slot/);
  });
});
