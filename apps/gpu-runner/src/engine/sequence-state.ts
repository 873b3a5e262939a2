// One sequence's model state outside the engine (the graph-vs-reference tests, the model
// benchmark): its token ids, its images' media K/V, and a one-row KvPool run through the same
// decoder calls the engine serves with. `extend()` appends tokens (and images) and runs only what
// a full recompute would change: under OpenFlamingo v1 a new image re-targets earlier text, so
// the cache is cut back to the first affected position before the new tokens are run.
import { mediaTime, reusablePrefix } from "../model/media-time.js";
import type { ImageKv, ModelRuntime } from "../model/runtime.js";
import { runDecoder } from "./decoder-call.js";
import { KvPool } from "./kv-pool.js";

export interface ExtendResult {
  /** Logits [keep, vocab] for the last `keep` positions. */
  logits: Float32Array;
  /** Tokens actually run through the decoder (prefix-cache misses included). */
  computed: number;
  /** Positions reused from the cache. */
  reused: number;
}

export class SequenceState {
  ids: number[] = [];
  images: ImageKv[] = [];
  private readonly pool: KvPool;

  constructor(
    private readonly rt: ModelRuntime,
    /** Longest sequence allowed. */
    readonly maxSeq = rt.config.language.maxPositions,
  ) {
    this.pool = new KvPool(rt.config.language, 1, maxSeq, rt.kvDtype);
  }

  /** Positions whose K/V are in the cache (≤ ids.length). */
  get cached(): number {
    return this.pool.lengths[0];
  }

  /** Appends tokens (with the K/V of any new `<image>` among them) and runs them. */
  async extend(newIds: number[], newImages: ImageKv[] = [], keep = 1): Promise<ExtendResult> {
    const cfg = this.rt.config;
    const next = [...this.ids, ...newIds];
    if (next.length > this.maxSeq) throw new Error(`sequence of ${next.length} tokens exceeds ${this.maxSeq}`);
    const images = [...this.images, ...newImages];
    const cached = { ids: this.ids.slice(0, this.cached), images: this.images };
    const cut = reusablePrefix(cached, { ids: next, images }, cfg.tokens.image, cfg.crossAttention.mediaRule);
    this.pool.truncate(0, cut);
    this.ids = next;
    this.images = images;
    const run = next.slice(cut);
    if (run.length === 0) throw new Error("nothing to run: extend() needs at least one new token");
    const times = mediaTime(next, cfg.tokens.image, cfg.crossAttention.mediaRule).subarray(cut);
    const row = { tokens: run, images, times };
    const { logits } = await runDecoder(this.rt, this.pool, 0, [row], { keep: Math.min(keep, run.length) });
    return { logits, computed: run.length, reused: cut };
  }
}
