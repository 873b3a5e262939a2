// One sequence's model state: its token ids, its images' media K/V and its KV cache.
// `extend()` appends tokens (and images) and runs only what a full recompute would change:
// under OpenFlamingo v1 a new image re-targets earlier text, so the cache is cut back to
// the first affected position before the new tokens are run.
import { mediaTime, reusablePrefix } from "../model/media-time.js";
import { type DecodeBatch, type ImageKv, type KvArray, kvArray, type ModelRuntime } from "../model/runtime.js";
import { CACHE_STEP } from "./kv-pool.js";

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
  /** Positions whose K/V are in the cache (≤ ids.length). */
  cached = 0;
  /** Positions the buffers can hold (append: grows; shared: fixed; concat: = cached). */
  private capacity = 0;
  private keys: KvArray[] = [];
  private values: KvArray[] = [];

  constructor(
    private readonly rt: ModelRuntime,
    /** Longest sequence allowed (the shared buffer's fixed size). */
    readonly maxSeq = rt.config.language.maxPositions,
  ) {
    this.resize(rt.kvCache === "shared" ? maxSeq : 0);
  }

  /** Appends tokens (with the K/V of any new `<image>` among them) and runs them. */
  async extend(newIds: number[], newImages: ImageKv[] = [], keep = 1): Promise<ExtendResult> {
    const cfg = this.rt.config;
    const next = [...this.ids, ...newIds];
    if (next.length > this.maxSeq) throw new Error(`sequence of ${next.length} tokens exceeds ${this.maxSeq}`);
    const images = [...this.images, ...newImages];
    const cached = { ids: this.ids.slice(0, this.cached), images: this.images };
    const cut = reusablePrefix(cached, { ids: next, images }, cfg.tokens.image, cfg.crossAttention.mediaRule);
    this.truncateCache(cut);
    this.ids = next;
    this.images = images;
    const run = next.slice(cut);
    if (run.length === 0) throw new Error("nothing to run: extend() needs at least one new token");
    const logits = await this.run(run, cut, Math.min(keep, run.length));
    this.cached = next.length;
    return { logits, computed: run.length, reused: cut };
  }

  /** Forgets cached positions from `n` on (the ids stay; they are re-run on the next extend). */
  truncateCache(n: number): void {
    if (n >= this.cached) return;
    // append/shared: positions ≥ n are masked out and later overwritten; concat keeps
    // exactly `cached` positions, so it is cut down.
    if (this.rt.kvCache === "concat") this.resize(n);
    this.cached = n;
  }

  /** Reallocates every layer's buffers to `capacity` positions, keeping the cached ones. */
  private resize(capacity: number): void {
    const L = this.rt.config.language;
    const move = (a: KvArray | undefined) => {
      const out = kvArray(this.rt.kvDtype, L.kvHeads * capacity * L.headDim);
      const keep = Math.min(this.cached, capacity) * L.headDim;
      if (a)
        for (let h = 0; h < L.kvHeads; h++)
          out.set(
            a.subarray(h * this.capacity * L.headDim, h * this.capacity * L.headDim + keep),
            h * capacity * L.headDim,
          );
      return out;
    };
    this.keys = Array.from({ length: L.layers }, (_, i) => move(this.keys[i]));
    this.values = Array.from({ length: L.layers }, (_, i) => move(this.values[i]));
    this.capacity = capacity;
  }

  /** Writes new positions [kvHeads, S, headDim] at `at` into a [kvHeads, capacity, headDim] buffer. */
  private write(dst: KvArray, src: KvArray, at: number, S: number): void {
    const { kvHeads, headDim } = this.rt.config.language;
    for (let h = 0; h < kvHeads; h++)
      dst.set(src.subarray(h * S * headDim, (h + 1) * S * headDim), (h * this.capacity + at) * headDim);
  }
  private async run(run: number[], past: number, keep: number): Promise<Float32Array> {
    const cfg = this.rt.config;
    const S = run.length;
    const times = mediaTime(this.ids, cfg.tokens.image, cfg.crossAttention.mediaRule).subarray(past);
    const hasImage = this.images.length > 0;
    const x = cfg.crossAttention;
    const per = cfg.perceiver.numLatents * x.heads * x.dimHead;
    const mediaLen = Math.max(1, this.images.length) * cfg.perceiver.numLatents;
    const mediaKeys = new Map<number, Float32Array>();
    const mediaValues = new Map<number, Float32Array>();
    for (const i of this.rt.xLayers) {
      const k = new Float32Array(mediaLen * x.heads * x.dimHead);
      const v = new Float32Array(k.length);
      this.images.forEach((img, j) => {
        k.set(img.keys.get(i)!, j * per);
        v.set(img.values.get(i)!, j * per);
      });
      mediaKeys.set(i, k);
      mediaValues.set(i, v);
    }
    const batch: Omit<DecodeBatch, "cache"> = {
      batch: 1,
      seq: S,
      inputIds: BigInt64Array.from(run, BigInt),
      positionIds: BigInt64Array.from({ length: S }, (_, j) => BigInt(past + j)),
      mediaTime: BigInt64Array.from(times, (t) => BigInt(t)),
      hasMedia: Float32Array.of(hasImage ? 1 : 0),
      mediaKeys,
      mediaValues,
      mediaLen,
      numLogitsToKeep: keep,
    };
    const mode = this.rt.kvCache;
    if (mode === "shared") {
      const cache = {
        mode,
        keys: this.keys,
        values: this.values,
        seqlensK: Int32Array.of(past + S - 1),
        totalSeqLen: past + S,
        maxSeq: this.maxSeq,
      };
      return (await this.rt.decode({ ...batch, cache })).logits;
    }
    if (mode === "concat") {
      const cache = {
        mode,
        keys: this.keys,
        values: this.values,
        len: past,
        attentionMask: new BigInt64Array(past + S).fill(1n),
      };
      const out = await this.rt.decode({ ...batch, cache });
      this.keys = out.presentKeys!;
      this.values = out.presentValues!;
      this.capacity = past + S;
      return out.logits;
    }
    // append: at least one cache slot so the graph never sees an empty axis.
    if (this.capacity < Math.max(1, past)) this.resize(Math.ceil(Math.max(1, past) / CACHE_STEP) * CACHE_STEP);
    const cache = {
      mode,
      keys: this.keys,
      values: this.values,
      capacity: this.capacity,
      pastLengths: BigInt64Array.of(BigInt(past)),
    };
    const out = await this.rt.decode({ ...batch, cache });
    if (this.capacity < past + S) this.resize(Math.ceil((past + S) / CACHE_STEP) * CACHE_STEP);
    for (let i = 0; i < this.keys.length; i++) {
      this.write(this.keys[i], out.presentKeys![i], past, S);
      this.write(this.values[i], out.presentValues![i], past, S);
    }
    return out.logits;
  }
}
