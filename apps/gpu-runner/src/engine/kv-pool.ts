// The engine's KV cache: per layer one buffer [rows, kvHeads, capacity, headDim] for keys
// and one for values. A row holds one sequence. The decoder reads rows 0..B-1 as a
// zero-copy view (the "append" graph design) and returns only new positions, written here.
// Capacity grows in CACHE_STEP steps (and `fit` shrinks it); rows move only when a sequence
// joins or leaves the batch. An idle row can be spilled: its positions move to compact
// buffers of their own, so that it no longer holds the capacity (what every batch row's
// attention reads) up; it comes back when its sequence is used again.
import type { LanguageConfig } from "../model/config.js";
import type { KvDtype } from "../model/graphs/self-attention.js";
import { type KvArray, kvArray } from "../model/kv-array.js";

// Attention reads a row's whole capacity (masked past the valid length), so capacity tracks
// the context closely; growing copies the cache, which at this step costs O(context/64) per token.
export const CACHE_STEP = 64;

export class KvPool {
  keys: KvArray[] = [];
  values: KvArray[] = [];
  capacity = 0;
  /** Valid positions per row (what swaps and growth must preserve), spilled rows included. */
  readonly lengths: Int32Array;
  /** view() results by (first, count), until the buffers are replaced or re-strided. */
  private readonly views = new Map<number, { keys: KvArray[]; values: KvArray[] }>();
  /** Spilled rows' positions, per layer [kvHeads, stride, headDim] (stride = length when spilled). */
  private readonly spilled = new Map<number, { keys: KvArray[]; values: KvArray[]; stride: number }>();

  constructor(
    private readonly L: LanguageConfig,
    readonly rows: number,
    /** Longest sequence a row may hold. */
    readonly maxCapacity: number,
    /** Element type (the decoder graph's; fp16 halves the bytes). */
    readonly dtype: KvDtype = "fp32",
  ) {
    this.lengths = new Int32Array(rows);
    this.resize(CACHE_STEP);
  }

  get bytes(): number {
    return 2 * this.L.layers * this.rows * this.rowSize * (this.dtype === "fp16" ? 2 : 4);
  }

  private get rowSize(): number {
    return this.L.kvHeads * this.capacity * this.L.headDim;
  }

  /** Makes room for `n` positions in every row. */
  ensure(n: number): void {
    if (n > this.maxCapacity) throw new Error(`KV pool: ${n} positions exceed the maximum of ${this.maxCapacity}`);
    if (n > this.capacity) this.resize(Math.min(this.maxCapacity, Math.ceil(n / CACHE_STEP) * CACHE_STEP));
  }

  /** Shrinks the capacity to what the longest row needs (in CACHE_STEP steps), if that is less. */
  fit(): void {
    let longest = 0;
    for (let r = 0; r < this.rows; r++) longest = Math.max(longest, this.resident(r));
    const need = Math.max(CACHE_STEP, Math.ceil(longest / CACHE_STEP) * CACHE_STEP);
    if (need < this.capacity) this.resize(need);
  }

  /** Positions of a row held in the strided buffers (0 when spilled). */
  private resident(row: number): number {
    return this.spilled.has(row) ? 0 : this.lengths[row];
  }

  isSpilled(row: number): boolean {
    return this.spilled.has(row);
  }

  /** Moves a row's positions out of the strided buffers (see the top of this file). */
  spill(row: number): void {
    if (this.spilled.has(row)) return;
    const { kvHeads, headDim } = this.L;
    const n = this.lengths[row];
    const out = (buf: KvArray) => {
      const to = kvArray(this.dtype, kvHeads * n * headDim);
      for (let h = 0; h < kvHeads; h++) {
        const src = (row * kvHeads + h) * this.capacity * headDim;
        to.set(buf.subarray(src, src + n * headDim), h * n * headDim);
      }
      return to;
    };
    this.spilled.set(row, { keys: this.keys.map(out), values: this.values.map(out), stride: n });
  }

  /**
   * Makes a row resident again with its first `keep` positions (0: it starts empty), growing
   * the capacity if it must. Nothing to do for a row that is not spilled.
   */
  unspill(row: number, keep = this.lengths[row]): void {
    const s = this.spilled.get(row);
    if (!s) return;
    const n = Math.min(keep, this.lengths[row]);
    this.spilled.delete(row);
    this.lengths[row] = 0; // resident and empty while the capacity grows
    this.ensure(n);
    this.writeRow(row, 0, n, s.keys, s.values, s.stride);
    this.lengths[row] = n;
  }

  /** Writes positions [0, n) of [kvHeads, stride, headDim] buffers into a row at `at`. */
  private writeRow(row: number, at: number, n: number, keys: KvArray[], values: KvArray[], stride: number): void {
    const { kvHeads, headDim, layers } = this.L;
    for (let i = 0; i < layers; i++) {
      for (let h = 0; h < kvHeads; h++) {
        const src = h * stride * headDim;
        const dst = ((row * kvHeads + h) * this.capacity + at) * headDim;
        this.keys[i].set(keys[i].subarray(src, src + n * headDim), dst);
        this.values[i].set(values[i].subarray(src, src + n * headDim), dst);
      }
    }
  }

  /**
   * Changes the capacity (the stride of a row's positions). Within the buffers already
   * allocated (the high-water mark) rows are re-strided in place — no allocation, only the
   * valid positions move — so shrinking after a long row left and growing back are cheap.
   */
  private resize(capacity: number): void {
    const { kvHeads, headDim, layers } = this.L;
    const size = this.rows * kvHeads * capacity * headDim;
    const stride = (buf: KvArray, to: KvArray) => {
      // Shrinking moves rows toward the start, growing toward the end: iterate so that no
      // move overwrites a row still to be moved (moves are memmoves, overlap-safe).
      const order = capacity < this.capacity || to !== buf ? 1 : -1;
      const n = this.rows * kvHeads;
      for (let k = order === 1 ? 0 : n - 1; k >= 0 && k < n; k += order) {
        const len = this.resident(Math.floor(k / kvHeads)) * headDim;
        const src = k * this.capacity * headDim;
        if (to === buf) buf.copyWithin(k * capacity * headDim, src, src + len);
        else to.set(buf.subarray(src, src + len), k * capacity * headDim);
      }
      return to;
    };
    // Past the buffers' high-water mark, allocate for twice the capacity asked (up to the
    // maximum): growth comes every CACHE_STEP tokens, and a fresh allocation of every row each
    // time (tens of MB at 16 slots) cost a copy and, through external-memory pressure, a full GC
    // every 64 tokens; within the buffers growth only re-strides the rows in place.
    const roomy = this.rows * kvHeads * Math.min(this.maxCapacity, 2 * capacity) * headDim;
    const restride = (buf: KvArray | undefined) =>
      !buf
        ? kvArray(this.dtype, size)
        : stride(buf, buf.length >= size ? buf : kvArray(this.dtype, Math.max(size, roomy)));
    this.keys = Array.from({ length: layers }, (_, i) => restride(this.keys[i]));
    this.values = Array.from({ length: layers }, (_, i) => restride(this.values[i]));
    this.capacity = capacity;
    this.views.clear();
  }

  /**
   * Rows [first, first+count) of every layer, as zero-copy views. The same view objects come
   * back until the buffers change, so the session reuses its tensors for them (see ort.ts).
   */
  view(first: number, count: number): { keys: KvArray[]; values: KvArray[] } {
    this.assertResident(first, count);
    const key = first * (this.rows + 1) + count;
    let v = this.views.get(key);
    if (!v) {
      const a = first * this.rowSize;
      const b = (first + count) * this.rowSize;
      v = { keys: this.keys.map((k) => k.subarray(a, b)), values: this.values.map((x) => x.subarray(a, b)) };
      this.views.set(key, v);
    }
    return v;
  }

  /**
   * Writes the new positions a decoder call returned — present [count, kvHeads, S, headDim]
   * per layer for rows first..first+count — after each row's valid positions.
   */
  append(first: number, count: number, S: number, keys: KvArray[], values: KvArray[]): void {
    const { kvHeads, headDim, layers } = this.L;
    this.assertResident(first, count);
    for (let i = 0; i < layers; i++) {
      for (let b = 0; b < count; b++) {
        const r = first + b;
        for (let h = 0; h < kvHeads; h++) {
          const src = (b * kvHeads + h) * S * headDim;
          const dst = ((r * kvHeads + h) * this.capacity + this.lengths[r]) * headDim;
          this.keys[i].set(keys[i].subarray(src, src + S * headDim), dst);
          this.values[i].set(values[i].subarray(src, src + S * headDim), dst);
        }
      }
    }
    for (let b = 0; b < count; b++) this.lengths[first + b] += S;
  }

  /** Exchanges the valid contents of two rows (a sequence joining or leaving the batch). */
  swap(a: number, b: number): void {
    if (a === b) return;
    const sa = this.spilled.get(a);
    const sb = this.spilled.get(b);
    if (sa || sb) {
      // A spilled row's contents travel with its entry; a resident one moves in the buffers.
      if (sa && sb) {
        this.spilled.set(a, sb);
        this.spilled.set(b, sa);
      } else {
        const [spilledRow, residentRow] = sa ? [a, b] : [b, a];
        const resident = this.view(residentRow, 1);
        this.writeRow(spilledRow, 0, this.lengths[residentRow], resident.keys, resident.values, this.capacity);
        this.spilled.set(residentRow, this.spilled.get(spilledRow)!);
        this.spilled.delete(spilledRow);
      }
    } else {
      const { kvHeads, headDim } = this.L;
      const n = Math.max(this.lengths[a], this.lengths[b]) * headDim;
      const tmp = kvArray(this.dtype, n);
      for (const buf of [...this.keys, ...this.values]) {
        for (let h = 0; h < kvHeads; h++) {
          const pa = (a * kvHeads + h) * this.capacity * headDim;
          const pb = (b * kvHeads + h) * this.capacity * headDim;
          tmp.set(buf.subarray(pa, pa + n));
          buf.copyWithin(pa, pb, pb + n);
          buf.set(tmp, pb);
        }
      }
    }
    const la = this.lengths[a];
    this.lengths[a] = this.lengths[b];
    this.lengths[b] = la;
  }

  /**
   * Row `to` becomes row `from`'s first `n` positions (a prefix copy, a beam fork); `from` may
   * be spilled, `to` is resident afterwards.
   */
  copy(from: number, to: number, n: number): void {
    if (from !== to) this.copyFrom(this, from, to, n);
  }

  private assertResident(first: number, count: number): void {
    for (let r = first; r < first + count; r++)
      if (this.spilled.has(r)) throw new Error(`KV pool: row ${r} is spilled (unspill it before a run)`);
  }

  /** Copies `n` positions of a row of this or another pool (forking beams from a slot) into one of ours. */
  copyFrom(src: KvPool, fromRow: number, toRow: number, n: number): void {
    if (this.spilled.delete(toRow)) this.lengths[toRow] = 0;
    this.ensure(n);
    const s = src.spilled.get(fromRow);
    if (s) this.writeRow(toRow, 0, n, s.keys, s.values, s.stride);
    else {
      const row = src.view(fromRow, 1);
      this.writeRow(toRow, 0, n, row.keys, row.values, src.capacity);
    }
    this.lengths[toRow] = n;
  }

  /** Row j becomes a copy of old row parents[j] (beam search keeps the best continuations). */
  reorder(parents: number[]): void {
    if (this.spilled.size) throw new Error("KV pool: reorder with spilled rows");
    const size = this.rowSize;
    const lengths = Int32Array.from(parents, (p) => this.lengths[p]);
    const permute = (buf: KvArray) => {
      const out = kvArray(this.dtype, buf.length);
      for (const [j, p] of parents.entries()) out.set(buf.subarray(p * size, (p + 1) * size), j * size);
      return out;
    };
    this.keys = this.keys.map(permute);
    this.values = this.values.map(permute);
    this.views.clear();
    this.lengths.set(lengths);
  }

  /** Marks a row's positions from `n` on as free (they will be overwritten). */
  truncate(row: number, n: number): void {
    this.lengths[row] = Math.min(this.lengths[row], n);
  }
}
