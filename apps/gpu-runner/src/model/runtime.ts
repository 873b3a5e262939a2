// The model as three ORT sessions with typed calls: images → media latents → per-layer
// media K/V, and one decoder step over a batch (prefill or decode). Knows tensor names and
// layouts; knows nothing about requests, sampling or scheduling (that is the engine's).
import { Session as OrtSession, type Session, type SessionOptions, type TensorValue } from "../runtime/ort.js";
import { type BuildOptions, graphPath } from "./build.js";
import { crossAttentionLayers, type ModelConfig } from "./config.js";
import { GREEDY_IDS, pastKeyName, pastValueName, presentKeyName, presentValueName } from "./graphs/decoder.js";
import { mediaKeyName, mediaValueName } from "./graphs/media-kv.js";
import type { KvDtype } from "./graphs/self-attention.js";
import { type KvArray, kvArray } from "./kv-array.js";

/** One image's K/V for every gated layer, each [L, heads, dim] (BSNH, contiguous). */
export interface ImageKv {
  keys: Map<number, Float32Array>;
  values: Map<number, Float32Array>;
}

export interface DecodeBatch {
  batch: number;
  seq: number;
  inputIds: BigInt64Array;
  positionIds: BigInt64Array;
  mediaTime: BigInt64Array;
  hasMedia: Float32Array;
  /** Per gated layer, [batch, mediaLen, heads, dim]; mediaLen ≥ 1 (pad when no images). */
  mediaKeys: Map<number, Float32Array>;
  mediaValues: Map<number, Float32Array>;
  mediaLen: number;
  numLogitsToKeep: number;
  /** The cache (graphs/self-attention.ts): views [batch, kvHeads, capacity, headDim] per layer. */
  cache: DecodeCache;
  /**
   * Write logits and new K/V into buffers kept for this batch shape instead of fresh ones. The
   * result is then only valid until the next such call (the engine's decode steps read it at
   * once); it spares a 128 KB+ allocation per step and the GC it causes.
   */
  reuseOutputs?: boolean;
  /**
   * Fetch each kept row's argmax (`greedyIds`, banned ids excluded) instead of the logits, which
   * then come back empty. Graphs built before that output existed ignore it (see hasGreedyIds).
   */
  greedy?: boolean;
}

/** Read-only cache views [batch, kvHeads, capacity, headDim]; `pastLengths` valid per row. */
export interface DecodeCache {
  keys: KvArray[];
  values: KvArray[];
  capacity: number;
  pastLengths: BigInt64Array;
}

export interface DecodeResult {
  /** [batch, kept, vocab]; empty when `greedyIds` was fetched instead. */
  logits: Float32Array;
  /** [batch, kept] argmax ids, when the batch asked for `greedy`. */
  greedyIds?: BigInt64Array;
  /** The new positions' K/V [batch, kvHeads, seq, headDim], per layer. */
  presentKeys: KvArray[];
  presentValues: KvArray[];
}

export class ModelRuntime {
  readonly xLayers: number[];
  /** Output buffers per batch shape, for DecodeBatch.reuseOutputs. */
  private readonly scratch = new Map<string, Record<string, TensorValue>>();

  /** The decoder can return greedy ids (graphs built before that output cannot). */
  readonly hasGreedyIds: boolean;

  private constructor(
    readonly config: ModelConfig,
    readonly build: BuildOptions,
    private readonly vision: Session,
    /** null for a config without gated cross-attention (a plain LLaMA): no media K/V to make. */
    private readonly mediaKv: Session | null,
    private readonly decoder: Session,
  ) {
    this.xLayers = crossAttentionLayers(config);
    this.hasGreedyIds = decoder.outputNames.includes(GREEDY_IDS);
  }

  static async load(
    config: ModelConfig,
    modelDir: string,
    build: BuildOptions,
    session: SessionOptions,
  ): Promise<ModelRuntime> {
    const open = (k: "vision" | "media-kv" | "decoder") => OrtSession.create(graphPath(modelDir, build, k), session);
    const hasCross = crossAttentionLayers(config).length > 0;
    const [v, m, d] = await Promise.all([open("vision"), hasCross ? open("media-kv") : null, open("decoder")]);
    return new ModelRuntime(config, build, v, m, d);
  }

  /** Element type of the cache (what the engine's buffers must hold). */
  get kvDtype(): KvDtype {
    return this.build.kvDtype ?? "fp32";
  }

  /** Normalized CHW pixels of n images → media latents [n, latents, dim]. */
  async imageLatents(pixels: Float32Array, n: number): Promise<Float32Array> {
    const s = this.config.vision.imageSize;
    const out = await this.vision.run({ pixel_values: { data: pixels, dims: [n, 3, s, s] } });
    return out.media_latents.data as Float32Array;
  }

  /** Media latents of n images → each image's K/V for every gated layer. */
  async imageKv(latents: Float32Array, n: number): Promise<ImageKv[]> {
    const p = this.config.perceiver;
    if (!this.mediaKv) return Array.from({ length: n }, () => ({ keys: new Map(), values: new Map() }));
    const out = await this.mediaKv.run({ media_latents: { data: latents, dims: [n, p.numLatents, p.dim] } });
    const per = p.numLatents * this.config.crossAttention.heads * this.config.crossAttention.dimHead;
    return Array.from({ length: n }, (_, j) => {
      const kv: ImageKv = { keys: new Map(), values: new Map() };
      for (const i of this.xLayers) {
        kv.keys.set(i, (out[mediaKeyName(i)].data as Float32Array).slice(j * per, (j + 1) * per));
        kv.values.set(i, (out[mediaValueName(i)].data as Float32Array).slice(j * per, (j + 1) * per));
      }
      return kv;
    });
  }

  async decode(b: DecodeBatch): Promise<DecodeResult> {
    const L = this.config.language;
    const x = this.config.crossAttention;
    const bs = [b.batch, b.seq];
    const feeds: Record<string, TensorValue> = {
      input_ids: { data: b.inputIds, dims: bs },
      position_ids: { data: b.positionIds, dims: bs },
      media_time: { data: b.mediaTime, dims: bs },
      has_media: { data: b.hasMedia, dims: [b.batch] },
      num_logits_to_keep: { data: BigInt64Array.of(BigInt(b.numLogitsToKeep)), dims: [] },
    };
    for (const i of this.xLayers) {
      const dims = [b.batch, b.mediaLen, x.heads, x.dimHead];
      feeds[mediaKeyName(i)] = { data: b.mediaKeys.get(i)!, dims };
      feeds[mediaValueName(i)] = { data: b.mediaValues.get(i)!, dims };
    }
    const c = b.cache;
    feeds.past_lengths = { data: c.pastLengths, dims: [b.batch] };
    const kvDims = [b.batch, L.kvHeads, c.capacity, L.headDim];
    for (let i = 0; i < L.layers; i++) {
      feeds[pastKeyName(i)] = { data: c.keys[i], dims: kvDims };
      feeds[pastValueName(i)] = { data: c.values[i], dims: kvDims };
    }
    const greedy = b.greedy === true && this.hasGreedyIds;
    // Only what is read is fetched (and computed): the logits or the greedy ids, and the K/V.
    const fetched = b.reuseOutputs ? this.outputsFor(b, greedy) : this.names(greedy);
    const out = await this.decoder.run(feeds, fetched);
    return {
      logits: greedy ? new Float32Array(0) : (out.logits.data as Float32Array),
      ...(greedy ? { greedyIds: out[GREEDY_IDS].data as BigInt64Array } : {}),
      presentKeys: Array.from({ length: L.layers }, (_, i) => out[presentKeyName(i)].data as KvArray),
      presentValues: Array.from({ length: L.layers }, (_, i) => out[presentValueName(i)].data as KvArray),
    };
  }

  /** The outputs to fetch, unallocated: the logits or the greedy ids, and every present K/V. */
  private names(greedy: boolean): Record<string, null> {
    const names: Record<string, null> = { [greedy ? GREEDY_IDS : "logits"]: null };
    for (let i = 0; i < this.config.language.layers; i++) {
      names[presentKeyName(i)] = null;
      names[presentValueName(i)] = null;
    }
    return names;
  }

  /** Preallocated outputs for the shape of `b` (kept for the runtime's lifetime). */
  private outputsFor(b: DecodeBatch, greedy: boolean): Record<string, TensorValue> {
    const key = `${b.batch}x${b.seq}x${b.numLogitsToKeep}x${greedy}`;
    let outputs = this.scratch.get(key);
    if (!outputs) {
      const L = this.config.language;
      const kvDims = [b.batch, L.kvHeads, b.seq, L.headDim];
      const kvSize = b.batch * L.kvHeads * b.seq * L.headDim;
      const keep = Math.min(b.numLogitsToKeep, b.seq);
      outputs = greedy
        ? { [GREEDY_IDS]: { data: new BigInt64Array(b.batch * keep), dims: [b.batch, keep] } }
        : { logits: { data: new Float32Array(b.batch * keep * L.vocabSize), dims: [b.batch, keep, L.vocabSize] } };
      for (let i = 0; i < L.layers; i++) {
        outputs[presentKeyName(i)] = { data: kvArray(this.kvDtype, kvSize), dims: kvDims };
        outputs[presentValueName(i)] = { data: kvArray(this.kvDtype, kvSize), dims: kvDims };
      }
      this.scratch.set(key, outputs);
    }
    return outputs;
  }

  async release(): Promise<void> {
    await Promise.all([this.vision.release(), this.mediaKv?.release(), this.decoder.release()]);
  }
}
