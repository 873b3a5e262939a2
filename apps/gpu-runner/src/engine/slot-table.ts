// The engine's slots, in llama.cpp's manner: one per conversation whose KV cache is kept, each
// with an explicit state, owning one row of the KvPool.
//
//   idle ──acquire──▶ prefill ──decode()──▶ decode ──release──▶ idle ──spill──▶ spilled
//    ▲                   └───────release (beam search, a failed call)──┘         │
//    └──────────────────────────── acquire (brought back or copied over) ────────┘
//
// Tenancy: a slot's cache is reused only by requests of the tenant that computed it (running
// rows too): the cached_tokens a request reports would otherwise tell one account, token by
// token, what another one's prompt holds.
//
// Invariants: the running slots (prefill, decode) hold rows 0..running-1, the decode ones in
// the order the engine's batch lists their jobs; a slot's row holds K/V for the first
// min(pool length, ids.length) of its ids (a failed call appends nothing), so any of them may be
// reused; a spilled slot's positions sit outside the pool's strided buffers (KvPool.spill).
import type { MediaRule } from "../model/config.js";
import { reusablePrefix } from "../model/media-time.js";
import { CACHE_STEP, type KvPool } from "./kv-pool.js";
import { choosePrefixSource } from "./prefix-source.js";

export type SlotState = "idle" | "prefill" | "decode" | "spilled";

export interface Slot {
  state: SlotState;
  row: number;
  /** The tokens its row holds K/V for (a prefix of them, see the invariants). */
  ids: readonly number[];
  /** Image hashes in `<image>` order (identity for prefix reuse). */
  images: readonly string[];
  lastUsed: number;
  /** The tenant whose request computed the row's K/V ("" while the slot never ran). */
  tenant: string;
  conversationId?: string;
}

/** What a request brings to a slot. */
export interface SlotRequest {
  ids: readonly number[];
  images: readonly string[];
  tenant: string;
  conversationId?: string;
}

export interface SlotTableOptions {
  imageToken: number;
  mediaRule: MediaRule;
  /** Reuse cached prefixes (default true; off only to measure the prefix cache's effect). */
  prefixCache?: boolean;
}

export class SlotTable {
  /** byRow[row] = the slot whose cache is in that row (a slot's `row` says the same). */
  private readonly byRow: Slot[];
  private runningCount = 0;

  constructor(
    readonly pool: KvPool,
    private readonly opts: SlotTableOptions,
  ) {
    this.byRow = Array.from({ length: pool.rows }, (_, row) => ({
      state: "idle",
      row,
      ids: [],
      images: [],
      lastUsed: 0,
      tenant: "",
    }));
  }

  /** Slots in prefill or decode: they hold rows 0..running-1. */
  get running(): number {
    return this.runningCount;
  }

  at(row: number): Readonly<Slot> {
    return this.byRow[row];
  }

  /**
   * Takes a slot for `req` into row `running` (the batch's next row), with the longest prefix a
   * full recompute would reproduce (choosePrefixSource). Returns that row and how many of the
   * prompt's positions it already holds; the caller prefills the rest.
   */
  acquire(req: SlotRequest, now = performance.now()): { row: number; reuse: number } {
    const { imageToken, mediaRule } = this.opts;
    const next = { ids: req.ids, images: req.images };
    const candidates = this.byRow.map((slot, row) => ({
      row,
      reusable:
        slot.tenant === req.tenant
          ? Math.min(this.pool.lengths[row], reusablePrefix(slot, next, imageToken, mediaRule))
          : 0,
      held: this.pool.lengths[row],
      running: row < this.runningCount,
      lastUsed: slot.lastUsed,
    }));
    const { take, reuse, copyFrom } = choosePrefixSource(candidates, {
      promptLength: req.ids.length,
      prefixCache: this.opts.prefixCache !== false,
      shortTail: CACHE_STEP,
    });
    const slot = this.byRow[take];
    const row = this.runningCount;
    // The copy's source must not be the row the move below takes away from `row`.
    const from = copyFrom === row ? take : copyFrom;
    this.move(take, row);
    // A copy may come from a spilled row; a slot continuing its own cache brings it back.
    if (from !== null) this.pool.copy(from, row, reuse);
    else this.pool.unspill(row, reuse);
    this.pool.truncate(row, reuse);
    Object.assign(slot, { state: "prefill", ids: req.ids, images: req.images, lastUsed: now, tenant: req.tenant });
    slot.conversationId = req.conversationId;
    this.runningCount++;
    return { row, reuse };
  }

  /**
   * Another choice of the request running in row `source` (n > 1): the least recently used idle
   * slot takes the batch's next row with a copy of every position `source` holds (the prompt,
   * prefilled once). Returns that row.
   */
  fork(source: number, now = performance.now()): number {
    if (source >= this.runningCount) throw new Error(`row ${source} is not running`);
    let lru: Slot | null = null;
    for (let r = this.runningCount; r < this.byRow.length; r++) {
      const slot = this.byRow[r];
      if (!lru || slot.lastUsed < lru.lastUsed) lru = slot;
    }
    if (!lru) throw new Error("fork: no idle slot");
    const row = this.runningCount;
    this.move(lru.row, row);
    this.pool.copy(source, row, this.pool.lengths[source]);
    const from = this.byRow[source];
    Object.assign(lru, { state: "prefill", ids: from.ids, images: from.images, lastUsed: now });
    lru.conversationId = undefined;
    this.runningCount++;
    return row;
  }

  /** A prefilled slot joins the decode batch. */
  decode(row: number): void {
    const slot = this.byRow[row];
    if (slot.state !== "prefill") throw new Error(`slot in row ${row} is ${slot.state}, not prefill`);
    slot.state = "decode";
  }

  /**
   * A running slot leaves the batch, keeping `ids` (what its row holds K/V for) for reuse. The
   * last running row moves into its place; returns that row's old number (the engine moves the
   * job there too), or `row` itself when it was the last.
   */
  release(row: number, ids: readonly number[] = this.byRow[row].ids): number {
    const slot = this.byRow[row];
    if (row >= this.runningCount) throw new Error(`row ${row} is not running`);
    slot.ids = ids;
    slot.state = "idle";
    const last = this.runningCount - 1;
    this.move(row, last);
    this.runningCount--;
    return last;
  }

  /** Every running slot becomes idle (the engine's loop failed; their rows stay valid for reuse). */
  releaseAll(): void {
    for (let row = 0; row < this.runningCount; row++) this.byRow[row].state = "idle";
    this.runningCount = 0;
  }

  /**
   * Every running row's attention reads the pool's whole capacity, and the capacity is the
   * longest resident row's: an idle slot keeping a long conversation would make every short
   * one decode as if it were long. Such slots are spilled (one copy of their positions), so the
   * capacity follows the batch (and `atLeast` positions the caller is about to run); the
   * conversation's next turn brings its cache back. Returns how many were spilled.
   */
  spillIdle(atLeast = 0): number {
    if (this.runningCount === 0) return 0;
    let longest = atLeast;
    for (let r = 0; r < this.runningCount; r++) longest = Math.max(longest, this.pool.lengths[r]);
    const need = Math.ceil((longest + 1) / CACHE_STEP) * CACHE_STEP;
    if (this.pool.capacity <= need) return 0;
    let spilled = 0;
    for (let r = this.runningCount; r < this.byRow.length; r++) {
      const slot = this.byRow[r];
      if (this.pool.lengths[r] > need && slot.state === "idle") {
        this.pool.spill(r);
        slot.state = "spilled";
        spilled++;
      }
    }
    if (spilled) this.pool.fit();
    return spilled;
  }

  /** Exchanges two rows: their slots and their caches. */
  private move(a: number, b: number): void {
    if (a === b) return;
    this.pool.swap(a, b);
    const sa = this.byRow[a];
    const sb = this.byRow[b];
    this.byRow[a] = sb;
    this.byRow[b] = sa;
    sa.row = b;
    sb.row = a;
  }
}
