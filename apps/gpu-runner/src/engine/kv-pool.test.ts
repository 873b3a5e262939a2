import { describe, expect, it } from "vitest";
import type { LanguageConfig } from "../model/config.js";
import { CACHE_STEP, KvPool } from "./kv-pool.js";

const L = { layers: 2, kvHeads: 2, headDim: 4 } as LanguageConfig;

/** Fills row r's first n positions with values naming (layer, K/V, row, head, position, dim). */
function fill(pool: KvPool, r: number, n: number) {
  const keys = [];
  const values = [];
  for (let i = 0; i < L.layers; i++) {
    const k = new Float32Array(L.kvHeads * n * L.headDim);
    for (let h = 0; h < L.kvHeads; h++)
      for (let p = 0; p < n; p++)
        for (let d = 0; d < L.headDim; d++) k[(h * n + p) * L.headDim + d] = i * 1e6 + r * 1e4 + h * 1e3 + p * 10 + d;
    keys.push(k);
    values.push(k.map((x) => -x));
  }
  pool.append(r, 1, n, keys, values);
}

function read(pool: KvPool, r: number, i: number, h: number, p: number, d: number) {
  return pool.keys[i][((r * L.kvHeads + h) * pool.capacity + p) * L.headDim + d];
}

describe("KvPool", () => {
  it("keeps every row's positions through growth, shrinking (fit) and growing back in place", () => {
    const pool = new KvPool(L, 3, 1024);
    pool.ensure(200);
    fill(pool, 0, 150);
    fill(pool, 2, 20);
    const check = () => {
      for (const [r, n] of [
        [0, pool.lengths[0]],
        [2, pool.lengths[2]],
      ])
        for (let i = 0; i < L.layers; i++)
          for (let h = 0; h < L.kvHeads; h++)
            for (const p of n > 0 ? [0, n - 1] : [])
              expect(read(pool, r, i, h, p, 3)).toBe(i * 1e6 + r * 1e4 + h * 1e3 + p * 10 + 3);
    };
    expect(pool.capacity).toBe(4 * CACHE_STEP);
    check();
    const buffer = pool.keys[0].buffer;
    pool.lengths[0] = 0; // the long row left
    pool.fit();
    expect(pool.capacity).toBe(CACHE_STEP);
    expect(pool.keys[0].buffer).toBe(buffer); // re-strided in place
    check();
    pool.ensure(190);
    expect(pool.keys[0].buffer).toBe(buffer);
    fill(pool, 0, 180);
    check();
    pool.ensure(700); // past the high-water mark: new buffers
    expect(pool.keys[0].buffer).not.toBe(buffer);
    check();
    // Neighbouring rows full of data, capacity halved and doubled in place: the order of the
    // moves matters (a wrong one overwrites a row before it has moved).
    const tight = new KvPool(L, 3, 1024);
    tight.ensure(128);
    tight.ensure(60);
    for (const r of [0, 1, 2]) fill(tight, r, 60);
    tight.fit();
    expect(tight.capacity).toBe(64);
    tight.ensure(100);
    expect(tight.capacity).toBe(128);
    for (const r of [0, 1, 2])
      for (let i = 0; i < L.layers; i++)
        for (let h = 0; h < L.kvHeads; h++)
          for (let p = 0; p < 60; p++)
            expect(read(tight, r, i, h, p, 1)).toBe(i * 1e6 + r * 1e4 + h * 1e3 + p * 10 + 1);
    // The views the decoder reads are exactly rows × kvHeads × capacity × headDim, the same
    // objects until the capacity changes.
    expect(pool.view(0, 2).keys[0].length).toBe(2 * L.kvHeads * pool.capacity * L.headDim);
    expect(pool.view(0, 2)).toBe(pool.view(0, 2));
    expect(pool.view(0, 2)).not.toBe(pool.view(0, 1));
    const before = pool.view(1, 2);
    pool.ensure(pool.capacity + 1);
    expect(pool.view(1, 2)).not.toBe(before);
    expect(pool.view(1, 2).values[1].length).toBe(2 * L.kvHeads * pool.capacity * L.headDim);
  });
});

describe("KvPool with an fp16 cache", () => {
  it("holds fp16 bits in Uint16Array buffers (half the bytes) and moves them intact", () => {
    const pool = new KvPool(L, 3, 1024, "fp16");
    const wide = new KvPool(L, 3, 1024);
    expect(pool.keys[0]).toBeInstanceOf(Uint16Array);
    expect(pool.bytes * 2).toBe(wide.bytes);
    // Bit patterns naming (row, head, position, dim); any 16-bit value must survive untouched.
    const bits = (r: number, h: number, p: number, d: number) => (r * 16384 + h * 4096 + p * 4 + d) & 0xffff;
    const put = (r: number, n: number) => {
      const k = new Uint16Array(L.kvHeads * n * L.headDim);
      for (let h = 0; h < L.kvHeads; h++)
        for (let p = 0; p < n; p++)
          for (let d = 0; d < L.headDim; d++) k[(h * n + p) * L.headDim + d] = bits(r, h, p, d);
      pool.append(r, 1, n, [k, k], [k, k]);
    };
    const row = (r: number, want: number, n: number) => {
      for (let h = 0; h < L.kvHeads; h++)
        for (const p of [0, n - 1])
          expect(pool.values[1][((r * L.kvHeads + h) * pool.capacity + p) * L.headDim + 3]).toBe(bits(want, h, p, 3));
    };
    pool.ensure(100);
    put(0, 100);
    put(1, 30);
    pool.swap(0, 1);
    row(1, 0, 100);
    row(0, 1, 30);
    pool.copy(1, 2, 100);
    pool.reorder([2, 0, 1]);
    row(0, 0, 100);
    row(1, 1, 30);
    pool.lengths[0] = pool.lengths[2] = 0;
    pool.fit();
    expect(pool.capacity).toBe(CACHE_STEP);
    row(1, 1, 30);
  });
});

describe("KvPool spilling", () => {
  const expectRow = (pool: KvPool, r: number, named: number, n: number) => {
    for (let i = 0; i < L.layers; i++)
      for (let h = 0; h < L.kvHeads; h++)
        for (const p of [0, n >> 1, n - 1]) {
          expect(read(pool, r, i, h, p, 2)).toBe(i * 1e6 + named * 1e4 + h * 1e3 + p * 10 + 2);
          const v = pool.values[i][((r * L.kvHeads + h) * pool.capacity + p) * L.headDim + 2];
          expect(v).toBe(-(i * 1e6 + named * 1e4 + h * 1e3 + p * 10 + 2));
        }
  };

  it("a spilled idle row no longer holds the capacity up, and comes back intact", () => {
    const pool = new KvPool(L, 4, 1024);
    pool.ensure(600);
    fill(pool, 0, 20);
    fill(pool, 1, 550); // a long idle conversation, between rows in use
    fill(pool, 2, 30);
    pool.fit();
    expect(pool.capacity).toBe(576);
    pool.spill(1);
    expect(() => pool.view(0, 2)).toThrow(/spilled/);
    pool.fit();
    expect(pool.capacity).toBe(CACHE_STEP); // follows the rows in use
    expectRow(pool, 0, 0, 20);
    expectRow(pool, 2, 2, 30);
    // The batch grows and shrinks again: the spilled row's stale region is never moved over
    // its neighbours.
    pool.ensure(300);
    fill(pool, 3, 250);
    expectRow(pool, 2, 2, 30);
    pool.truncate(3, 0);
    pool.fit();
    expectRow(pool, 0, 0, 20);
    expectRow(pool, 2, 2, 30);
    pool.unspill(1);
    expect(pool.isSpilled(1)).toBe(false);
    expect(pool.capacity).toBe(576);
    expectRow(pool, 1, 1, 550);
    expectRow(pool, 0, 0, 20);
    expectRow(pool, 2, 2, 30);
  });

  it("swaps, copies and forks rows to and from a spilled one", () => {
    const pool = new KvPool(L, 3, 1024);
    pool.ensure(200);
    fill(pool, 0, 40);
    fill(pool, 2, 180);
    pool.spill(2);
    // A slot joining the batch: the spilled row moves to row 0, row 0's contents to row 2.
    pool.swap(0, 2);
    expect(pool.isSpilled(0)).toBe(true);
    expect(pool.isSpilled(2)).toBe(false);
    expect([pool.lengths[0], pool.lengths[2]]).toEqual([180, 40]);
    expectRow(pool, 2, 0, 40);
    // A prefix copied from the spilled row (an idle long cache shared by a new request).
    pool.copy(0, 1, 150);
    expect(pool.lengths[1]).toBe(150);
    expectRow(pool, 1, 2, 150);
    // Another pool (beam search) forks from a spilled row.
    const beams = new KvPool(L, 2, 1024);
    beams.copyFrom(pool, 0, 1, 100);
    expectRow(beams, 1, 2, 100);
    // Keeping only a prefix when the row comes back.
    pool.unspill(0, 60);
    expect(pool.lengths[0]).toBe(60);
    expectRow(pool, 0, 2, 60);
    // Copying over a spilled row drops its spilled contents.
    pool.spill(2);
    pool.copy(1, 2, 10);
    expect(pool.isSpilled(2)).toBe(false);
    expectRow(pool, 2, 2, 10);
  });
});

describe("KvPool growth", () => {
  it("allocates geometrically: growing a row token by token to 1,024 positions allocates a few times, not every 64", () => {
    const pool = new KvPool(L, 4, 2048);
    const buffers = new Set<ArrayBufferLike>();
    for (let n = 1; n <= 1024; n++) {
      pool.ensure(n);
      buffers.add(pool.keys[0].buffer);
    }
    expect(pool.capacity).toBe(1024);
    // 64 → 128 → 256 → 512 → 1024: each allocation leaves room for twice the capacity asked.
    expect(buffers.size).toBeLessThanOrEqual(5);
  });
});
