// One sequence's model state: its token ids, its images' media K/V and its KV cache.
// `extend()` appends tokens (and images) and runs only what a full recompute would change:
// under OpenFlamingo v1 a new image re-targets earlier text, so the cache is cut back to
// the first affected position before the new tokens are run.
import { firstAffected, mediaTime } from "../model/media-time.js";
import type { DecodeBatch, ImageKv, ModelRuntime } from "../model/runtime.js";

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
  private keys: Float32Array[] = [];
  private values: Float32Array[] = [];

  constructor(
    private readonly rt: ModelRuntime,
    /** Capacity in tokens (fused graphs preallocate it). */
    readonly maxSeq = rt.config.language.maxPositions,
  ) {
    const L = rt.config.language;
    const size = rt.fused ? L.kvHeads * maxSeq * L.headDim : 0;
    for (let i = 0; i < L.layers; i++) {
      this.keys.push(new Float32Array(size));
      this.values.push(new Float32Array(size));
    }
  }

  /** Appends tokens (with the K/V of any new `<image>` among them) and runs them. */
  async extend(newIds: number[], newImages: ImageKv[] = [], keep = 1): Promise<ExtendResult> {
    const cfg = this.rt.config;
    const next = [...this.ids, ...newIds];
    if (next.length > this.maxSeq) throw new Error(`sequence of ${next.length} tokens exceeds ${this.maxSeq}`);
    const cut = Math.min(this.cached, firstAffected(this.ids, next, cfg.tokens.image, cfg.crossAttention.mediaRule));
    this.truncateCache(cut);
    this.ids = next;
    this.images = [...this.images, ...newImages];
    const run = next.slice(cut);
    if (run.length === 0) throw new Error("nothing to run: extend() needs at least one new token");
    const logits = await this.run(run, cut, Math.min(keep, run.length));
    this.cached = next.length;
    return { logits, computed: run.length, reused: cut };
  }

  /** Forgets cached positions from `n` on (the ids stay; they are re-run on the next extend). */
  truncateCache(n: number): void {
    if (n >= this.cached) return;
    if (!this.rt.fused) {
      const L = this.rt.config.language;
      const cut = (a: Float32Array) => {
        const out = new Float32Array(L.kvHeads * n * L.headDim);
        for (let h = 0; h < L.kvHeads; h++)
          out.set(a.subarray(h * this.cached * L.headDim, (h * this.cached + n) * L.headDim), h * n * L.headDim);
        return out;
      };
      this.keys = this.keys.map(cut);
      this.values = this.values.map(cut);
    }
    // Fused buffers need no work: positions ≥ n are simply overwritten.
    this.cached = n;
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
    const batch: DecodeBatch = {
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
      kv: null,
      past: null,
    };
    if (this.rt.fused) {
      batch.kv = {
        keys: this.keys,
        values: this.values,
        seqlensK: Int32Array.of(past + S - 1),
        totalSeqLen: past + S,
        maxSeq: this.maxSeq,
      };
      return (await this.rt.decode(batch)).logits;
    }
    batch.past = {
      keys: this.keys,
      values: this.values,
      len: past,
      attentionMask: new BigInt64Array(past + S).fill(1n),
    };
    const out = await this.rt.decode(batch);
    this.keys = out.presentKeys!;
    this.values = out.presentValues!;
    return out.logits;
  }
}
