// The slot table over a small KvPool (no model): states through acquire → decode → release →
// spill, rows following their slots, and each row's positions surviving every move.
import { describe, expect, it } from "vitest";
import type { LanguageConfig } from "../model/config.js";
import { KvPool } from "./kv-pool.js";
import { SlotTable } from "./slot-table.js";

const L = { layers: 1, kvHeads: 1, headDim: 2 } as LanguageConfig;
const IMAGE = 32001;

/** Ids 1..n-ish: `seed` makes sequences differ from their first token on. */
const seq = (n: number, seed = 0) => Array.from({ length: n }, (_, i) => 100 + seed * 1000 + i);

function table(rows: number, maxContext = 2048) {
  const pool = new KvPool(L, rows, maxContext);
  return new SlotTable(pool, { imageToken: IMAGE, mediaRule: "next-image" });
}

/** What the decoder would append: position p of sequence `seed` holds the value seed·1e4 + p. */
function run(t: SlotTable, row: number, upTo: number, seed: number) {
  const from = t.pool.lengths[row];
  const n = upTo - from;
  const k = Float32Array.from({ length: n * L.headDim }, (_, j) => seed * 1e4 + from + Math.floor(j / L.headDim));
  t.pool.ensure(upTo);
  t.pool.append(row, 1, n, [k], [k]);
}

/** The value at position p of a row (keys, layer 0, head 0, dim 0). */
const at = (t: SlotTable, row: number, p: number) => t.pool.keys[0][(row * t.pool.capacity + p) * L.headDim];

describe("SlotTable", () => {
  it("walks a slot through prefill, decode and release; running slots hold the first rows", () => {
    const t = table(4);
    const a = t.acquire({ ids: seq(10), images: [], tenant: "a" }, 1);
    expect(a).toEqual({ row: 0, reuse: 0 });
    expect(t.at(0).state).toBe("prefill");
    expect(() => t.acquire({ ids: seq(5, 1), images: [], tenant: "a" }, 2)).not.toThrow();
    expect(t.running).toBe(2);
    t.decode(0);
    t.decode(1);
    expect(t.at(0).state).toBe("decode");
    expect(() => t.decode(0)).toThrow(/decode, not prefill/);
    // Row 0 finishes: row 1 moves into its place, the released slot right after the batch.
    run(t, 0, 12, 0);
    const moved = t.release(0, [...seq(10), 7, 8]);
    expect(moved).toBe(1);
    expect(t.running).toBe(1);
    expect(t.at(0).ids).toEqual(seq(5, 1));
    expect(t.at(1)).toMatchObject({ state: "idle", ids: [...seq(10), 7, 8] });
    expect(at(t, 1, 11)).toBe(11);
    expect(() => t.release(2)).toThrow(/not running/);
  });

  it("a conversation's next turn finds its slot again and reuses its cache in place", () => {
    const t = table(3);
    const turn1 = seq(40);
    const { row } = t.acquire({ ids: turn1, images: [], tenant: "a", conversationId: "c" }, 1);
    run(t, row, 40, 3);
    t.decode(row);
    t.release(row, turn1);
    // Two unrelated requests in between.
    for (const s of [1, 2]) {
      const r = t.acquire({ ids: seq(8, s), images: [], tenant: "a" }, 1 + s).row;
      run(t, r, 8, s);
      t.release(r);
    }
    const turn2 = [...turn1, ...seq(6, 9)];
    const next = t.acquire({ ids: turn2, images: [], tenant: "a", conversationId: "c" }, 10);
    expect(next).toEqual({ row: 0, reuse: 40 });
    expect(t.at(0).conversationId).toBe("c");
    expect([at(t, 0, 0), at(t, 0, 39)]).toEqual([3e4, 3e4 + 39]);
  });

  it("a request sharing only a template copies it: the long idle cache stays whole", () => {
    const t = table(3);
    const template = seq(20, 5);
    const long = [...template, ...seq(300, 6)];
    const first = t.acquire({ ids: long, images: [], tenant: "a" }, 1).row;
    run(t, first, long.length, 5);
    t.release(first, long);
    const other = [...template, ...seq(10, 7)];
    const { row, reuse } = t.acquire({ ids: other, images: [], tenant: "a" }, 2);
    expect(reuse).toBe(20);
    // The long conversation's slot is idle again with all 320 positions.
    const longSlot = [0, 1, 2].find((r) => t.at(r).ids === long)!;
    expect(longSlot).not.toBe(row);
    expect(t.pool.lengths[longSlot]).toBe(320);
    expect([at(t, row, 0), at(t, row, 19)]).toEqual([5e4, 5e4 + 19]);
    expect(t.pool.lengths[row]).toBe(20);
  });

  it("spills idle slots longer than the batch needs, and brings one back intact on its next turn", () => {
    const t = table(3);
    const long = seq(500, 1);
    const r0 = t.acquire({ ids: long, images: [], tenant: "a" }, 1).row;
    run(t, r0, 500, 1);
    t.release(r0, long);
    const short = t.acquire({ ids: seq(10, 2), images: [], tenant: "a" }, 2).row;
    run(t, short, 10, 2);
    t.decode(short);
    expect(t.spillIdle()).toBe(1);
    const spilled = [0, 1, 2].find((r) => t.at(r).state === "spilled")!;
    expect(t.pool.isSpilled(spilled)).toBe(true);
    expect(t.pool.capacity).toBe(64);
    // Nothing more to spill; an idle-only table spills nothing.
    expect(t.spillIdle()).toBe(0);
    t.release(short);
    const back = t.acquire({ ids: [...long, ...seq(3, 3)], images: [], tenant: "a" }, 3);
    expect(back.reuse).toBe(500);
    expect(t.at(back.row).state).toBe("prefill");
    expect(t.pool.isSpilled(back.row)).toBe(false);
    expect([at(t, back.row, 0), at(t, back.row, 499)]).toEqual([1e4, 1e4 + 499]);
  });

  it("a new image in a later turn cuts reuse back to just after the previous image (v1 rule)", () => {
    const t = table(2);
    const turn1 = [1, 2, IMAGE, 3, 4];
    const r = t.acquire({ ids: turn1, images: ["a"], tenant: "a" }, 1).row;
    run(t, r, 5, 4);
    t.release(r, turn1);
    const turn2 = [...turn1, 5, IMAGE, 6];
    expect(t.acquire({ ids: turn2, images: ["a", "b"], tenant: "a" }, 2).reuse).toBe(3);
  });

  it("releaseAll returns every running slot to idle with its rows kept (a failed loop)", () => {
    const t = table(3);
    for (const s of [0, 1]) {
      const r = t.acquire({ ids: seq(12, s), images: [], tenant: "a" }, s).row;
      run(t, r, 6, s); // a prefill that failed halfway
    }
    t.releaseAll();
    expect(t.running).toBe(0);
    expect([t.at(0).state, t.at(1).state]).toEqual(["idle", "idle"]);
    // Half a prefill is still a reusable prefix.
    expect(t.acquire({ ids: seq(12, 1), images: [], tenant: "a" }, 5).reuse).toBe(6);
  });

  it("reuses a cache only for the tenant that computed it, idle or running", () => {
    const t = table(3);
    const prompt = seq(40, 9);
    const a = t.acquire({ ids: prompt, images: [], tenant: "a" }, 1).row;
    run(t, a, 40, 9);
    // Running: another tenant's row is not copied from.
    expect(t.acquire({ ids: prompt, images: [], tenant: "b" }, 2).reuse).toBe(0);
    t.release(t.running - 1);
    t.release(a, prompt);
    // Idle: nor taken over.
    const b = t.acquire({ ids: prompt, images: [], tenant: "b" }, 3);
    expect(b.reuse).toBe(0);
    expect(t.at(b.row).tenant).toBe("b");
    t.release(b.row);
    // The owner still gets its prefix back.
    expect(t.acquire({ ids: prompt, images: [], tenant: "a" }, 4).reuse).toBe(39);
  });
});
