// The engine's KV cache: per layer one buffer [rows, kvHeads, capacity, headDim] for keys
// and one for values. A row holds one sequence. The decoder reads rows 0..B-1 as a
// zero-copy view (the "append" graph design) and returns only new positions, written here.
// Capacity grows in CACHE_STEP steps (and `fit` shrinks it); rows move only when a sequence
// joins or leaves the batch.
import type { LanguageConfig } from "../model/config.js";
import type { KvDtype } from "../model/graphs/self-attention.js";
import { type KvArray, kvArray } from "../model/runtime.js";

// Attention reads a row's whole capacity (masked past the valid length), so capacity tracks
// the context closely; growing copies the cache, which at this step costs O(context/64) per token.
export const CACHE_STEP = 64;

export class KvPool {
  keys: KvArray[] = [];
  values: KvArray[] = [];
  capacity = 0;
  /** Valid positions per row (what swaps and growth must preserve). */
  readonly lengths: Int32Array;

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
    const need = Math.max(CACHE_STEP, Math.ceil(Math.max(...this.lengths) / CACHE_STEP) * CACHE_STEP);
    if (need < this.capacity) this.resize(need);
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
        const len = this.lengths[Math.floor(k / kvHeads)] * headDim;
        const src = k * this.capacity * headDim;
        if (to === buf) buf.copyWithin(k * capacity * headDim, src, src + len);
        else to.set(buf.subarray(src, src + len), k * capacity * headDim);
      }
      return to;
    };
    const restride = (buf: KvArray | undefined) =>
      !buf ? kvArray(this.dtype, size) : stride(buf, buf.length >= size ? buf : kvArray(this.dtype, size));
    this.keys = Array.from({ length: layers }, (_, i) => restride(this.keys[i]));
    this.values = Array.from({ length: layers }, (_, i) => restride(this.values[i]));
    this.capacity = capacity;
  }

  /** Rows [first, first+count) of every layer, as zero-copy views. */
  view(first: number, count: number): { keys: KvArray[]; values: KvArray[] } {
    const a = first * this.rowSize;
    const b = (first + count) * this.rowSize;
    return { keys: this.keys.map((k) => k.subarray(a, b)), values: this.values.map((v) => v.subarray(a, b)) };
  }

  /**
   * Writes the new positions a decoder call returned — present [count, kvHeads, S, headDim]
   * per layer for rows first..first+count — at each row's `at` position.
   */
  append(first: number, count: number, at: ArrayLike<number>, S: number, keys: KvArray[], values: KvArray[]): void {
    const { kvHeads, headDim, layers } = this.L;
    for (let i = 0; i < layers; i++) {
      for (let b = 0; b < count; b++) {
        const r = first + b;
        for (let h = 0; h < kvHeads; h++) {
          const src = (b * kvHeads + h) * S * headDim;
          const dst = ((r * kvHeads + h) * this.capacity + at[b]) * headDim;
          this.keys[i].set(keys[i].subarray(src, src + S * headDim), dst);
          this.values[i].set(values[i].subarray(src, src + S * headDim), dst);
        }
      }
    }
    for (let b = 0; b < count; b++) this.lengths[first + b] = Math.max(this.lengths[first + b], at[b] + S);
  }

  /** Exchanges the valid contents of two rows (a sequence joining or leaving the batch). */
  swap(a: number, b: number): void {
    if (a === b) return;
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
    const la = this.lengths[a];
    this.lengths[a] = this.lengths[b];
    this.lengths[b] = la;
  }

  /** Copies row `from`'s first `n` positions into row `to` (beam search forks). */
  copy(from: number, to: number, n: number): void {
    if (from === to) return;
    const { kvHeads, headDim } = this.L;
    for (const buf of [...this.keys, ...this.values]) {
      for (let h = 0; h < kvHeads; h++) {
        const pf = (from * kvHeads + h) * this.capacity * headDim;
        buf.copyWithin((to * kvHeads + h) * this.capacity * headDim, pf, pf + n * headDim);
      }
    }
    this.lengths[to] = n;
  }

  /** Copies `n` positions of another pool's row into one of ours (forking beams from a slot). */
  copyFrom(src: KvPool, fromRow: number, toRow: number, n: number): void {
    this.ensure(n);
    const { kvHeads, headDim, layers } = this.L;
    for (let i = 0; i < layers; i++) {
      for (const [dst, from] of [
        [this.keys[i], src.keys[i]],
        [this.values[i], src.values[i]],
      ]) {
        for (let h = 0; h < kvHeads; h++) {
          const pf = (fromRow * kvHeads + h) * src.capacity * headDim;
          dst.set(from.subarray(pf, pf + n * headDim), (toRow * kvHeads + h) * this.capacity * headDim);
        }
      }
    }
    this.lengths[toRow] = n;
  }

  /** Row j becomes a copy of old row parents[j] (beam search keeps the best continuations). */
  reorder(parents: number[]): void {
    const size = this.rowSize;
    const lengths = Int32Array.from(parents, (p) => this.lengths[p]);
    const permute = (buf: KvArray) => {
      const out = kvArray(this.dtype, buf.length);
      for (const [j, p] of parents.entries()) out.set(buf.subarray(p * size, (p + 1) * size), j * size);
      return out;
    };
    this.keys = this.keys.map(permute);
    this.values = this.values.map(permute);
    this.lengths.set(lengths);
  }

  /** Marks a row's positions from `n` on as free (they will be overwritten). */
  truncate(row: number, n: number): void {
    this.lengths[row] = Math.min(this.lengths[row], n);
  }
}
