// LLaMA self-attention with RoPE, in three KV-cache designs (a build option):
//
//  concat  past [B,kv,P,d] ⧺ new → present [B,kv,P+S,d]. Standard ONNX; the whole cache
//          crosses the JS boundary twice per step (O(context) copies).
//  shared  GroupQueryAttention over one max-length buffer bound as both past and present:
//          appends in place, but onnxruntime-node still copies every bound output back
//          into a fresh JS buffer (O(max length) per step).
//  append  past [B,kv,C,d] is a read-only view of the engine's cache (C = its capacity,
//          `past_lengths` valid per row); present = the NEW positions only [B,kv,S,d],
//          which the engine writes into its buffers. Nothing of size O(context) is copied:
//          attention reads the cache in place (scores over cache and new keys are
//          concatenated before one softmax).
import { DT, float, MS_DOMAIN } from "../../onnx/graph-builder.js";
import type { ModelConfig } from "../config.js";
import { attention, MASKED, mergeHeads, splitHeads, where } from "./ops.js";
import { ropeCaches } from "./rope.js";
import type { GraphWeights } from "./weights.js";

export type KvCacheMode = "concat" | "shared" | "append";
/**
 * fp16 halves the bytes a decode step reads from the cache (at 2,000 positions the cache is a
 * third of what an int4 step reads). The graph rounds new keys/values to fp16 before attending
 * to them, so a token sees the same values whether they came from the cache or were just made
 * (warm and cold runs agree); attention itself stays fp32.
 */
export type KvDtype = "fp32" | "fp16";

export const pastKeyName = (i: number) => `past_key_values.${i}.key`;
export const pastValueName = (i: number) => `past_key_values.${i}.value`;
export const presentKeyName = (i: number) => `present.${i}.key`;
export const presentValueName = (i: number) => `present.${i}.value`;

export interface SelfAttentionInputs {
  positionIds: string;
  cos: string;
  sin: string;
  /** shared: */
  seqlensK?: string;
  totalSeqLen?: string;
  /** concat: [B, P+S] 1 = attend. */
  attentionMask?: string;
  /** append: [B] valid cache positions per row. */
  pastLengths?: string;
  /** Masks built once per graph and reused by every layer. */
  masks: Map<string, string>;
}

/** Declares the cache inputs/outputs of every layer and the inputs they share. */
export function selfAttentionInputs(c: ModelConfig, w: GraphWeights): SelfAttentionInputs {
  const g = w.g;
  const L = c.language;
  const mode = w.opts.kvCache;
  const positionIds = g.input("position_ids", DT.INT64, ["batch_size", "sequence_length"]);
  const inp: SelfAttentionInputs = {
    positionIds,
    ...ropeCaches(g, L.headDim, L.maxPositions, L.ropeTheta),
    masks: new Map(),
  };
  const pastDim = { concat: "past_sequence_length", shared: "max_sequence_length", append: "cache_capacity" }[mode];
  const presentDim = { concat: "total_sequence_length", shared: "max_sequence_length", append: "sequence_length" }[
    mode
  ];
  if (mode === "shared") {
    inp.seqlensK = g.input("seqlens_k", DT.INT32, ["batch_size"]);
    inp.totalSeqLen = g.input("total_sequence_length", DT.INT32, []);
  } else if (mode === "concat") {
    inp.attentionMask = g.input("attention_mask", DT.INT64, ["batch_size", "total_sequence_length"]);
  } else {
    inp.pastLengths = g.input("past_lengths", DT.INT64, ["batch_size"]);
  }
  const kvType = mode === "append" && w.opts.kvDtype === "fp16" ? DT.FLOAT16 : DT.FLOAT;
  for (let i = 0; i < L.layers; i++) {
    for (const name of [pastKeyName(i), pastValueName(i)])
      g.input(name, kvType, ["batch_size", L.kvHeads, pastDim, L.headDim]);
    for (const name of [presentKeyName(i), presentValueName(i)])
      g.output(name, kvType, ["batch_size", L.kvHeads, presentDim, L.headDim]);
  }
  return inp;
}

/** q, k, v: projections [B, S, heads·d]. Returns the attention output [B, S, H·d]. */
export function selfAttention(
  c: ModelConfig,
  w: GraphWeights,
  q: string,
  k: string,
  v: string,
  i: number,
  inp: SelfAttentionInputs,
): string {
  const g = w.g;
  const L = c.language;
  const p = `/model/layers.${i}/attn`;
  const present = [presentKeyName(i), presentValueName(i)];
  if (w.opts.kvCache === "shared") {
    const [out] = g.node(
      "GroupQueryAttention",
      [
        rope(w, q, L.heads, inp, `${p}/q`),
        rope(w, k, L.kvHeads, inp, `${p}/k`),
        v,
        pastKeyName(i),
        pastValueName(i),
        inp.seqlensK!,
        inp.totalSeqLen!,
      ],
      `${p}/GroupQueryAttention`,
      { num_heads: L.heads, kv_num_heads: L.kvHeads, scale: float(L.headDim ** -0.5) },
      { domain: MS_DOMAIN, outputs: [`${p}/output`, ...present] },
    );
    return out;
  }
  const qh = splitHeads(g, rope(w, q, L.heads, inp, `${p}/q`), L.heads, L.headDim, `${p}/q_heads`);
  const kNew = splitHeads(g, rope(w, k, L.kvHeads, inp, `${p}/k`), L.kvHeads, L.headDim, `${p}/k_heads`);
  const vNew = splitHeads(g, v, L.kvHeads, L.headDim, `${p}/v_heads`);
  if (w.opts.kvCache === "concat") {
    const kAll = g.node(
      "Concat",
      [pastKeyName(i), kNew],
      `${p}/present_key`,
      { axis: 2 },
      { outputs: [present[0]] },
    )[0];
    const vAll = g.node(
      "Concat",
      [pastValueName(i), vNew],
      `${p}/present_value`,
      { axis: 2 },
      { outputs: [present[1]] },
    )[0];
    const rep = (t: string, n: string) => repeatKv(w, t, `${p}/${n}_repeat`, L.heads / L.kvHeads);
    const o = attention(
      g,
      qh,
      rep(kAll, "k"),
      rep(vAll, "v"),
      L.headDim ** -0.5,
      concatMask(w, qh, kAll, inp),
      `${p}/sdpa`,
    );
    return mergeHeads(g, o, L.heads, L.headDim, `${p}/merge`);
  }
  if (w.opts.kvDtype === "fp16") {
    // Store fp16; attend in fp32 to the stored values (new ones rounded the same way).
    const half = (t: string, name: string, n: string) =>
      g.node("Cast", [t], `${p}/${n}_half`, { to: DT.FLOAT16 }, { outputs: [name] })[0];
    const wide = (t: string, n: string) => g.op("Cast", [t], `${p}/${n}_float`, { to: DT.FLOAT });
    return appendAttention(
      c,
      w,
      qh,
      wide(half(kNew, present[0], "k_new"), "k_new"),
      wide(half(vNew, present[1], "v_new"), "v_new"),
      i,
      inp,
      {
        keys: wide(pastKeyName(i), "past_key"),
        values: wide(pastValueName(i), "past_value"),
      },
    );
  }
  g.node("Identity", [kNew], `${p}/present_key`, {}, { outputs: [present[0]] });
  g.node("Identity", [vNew], `${p}/present_value`, {}, { outputs: [present[1]] });
  return appendAttention(c, w, qh, kNew, vNew, i, inp, { keys: pastKeyName(i), values: pastValueName(i) });
}

/**
 * Attention over a read-only cache view plus the new keys, grouped by KV head so the
 * cache is read once per KV head (no repeat): q [B,H,S,d] → [B,kv,rep·S,d].
 */
function appendAttention(
  c: ModelConfig,
  w: GraphWeights,
  qh: string,
  kNew: string,
  vNew: string,
  i: number,
  inp: SelfAttentionInputs,
  /** The cache view as fp32 values (the inputs themselves, or their widening). */
  past: { keys: string; values: string },
) {
  const g = w.g;
  const L = c.language;
  const p = `/model/layers.${i}/attn`;
  const rep = L.heads / L.kvHeads;
  const scale = L.headDim ** -0.5;
  const grouped = g.op("Reshape", [qh, g.i64([0, L.kvHeads, -1, L.headDim])], `${p}/q_grouped`);
  const scores = (keys: string, n: string) =>
    w.opts.fused
      ? g.op("FusedMatMul", [grouped, keys], `${p}/${n}_scores`, { transB: 1, alpha: float(scale) }, MS_DOMAIN)
      : g.op(
          "Mul",
          [
            g.op(
              "MatMul",
              [grouped, g.op("Transpose", [keys], `${p}/${n}_KT`, { perm: [0, 1, 3, 2] })],
              `${p}/${n}_QK`,
            ),
            g.f32([scale], []),
          ],
          `${p}/${n}_scores`,
        );
  const { pastBias, newBias } = appendMasks(w, qh, pastKeyName(i), rep, inp);
  const sPast = g.op("Add", [scores(past.keys, "past"), pastBias], `${p}/past_masked`);
  const sNew = g.op("Add", [scores(kNew, "new"), newBias], `${p}/new_masked`);
  const probs = g.op("Softmax", [g.op("Concat", [sPast, sNew], `${p}/scores`, { axis: -1 })], `${p}/Softmax`, {
    axis: -1,
  });
  const cap = g.op(
    "Slice",
    [g.op("Shape", [pastKeyName(i)], `${p}/CacheShape`), g.i64([2]), g.i64([3])],
    `${p}/Capacity`,
  );
  const [pPast, pNew] = g.node(
    "Split",
    [
      probs,
      g.op(
        "Concat",
        [cap, g.op("Slice", [g.op("Shape", [kNew], `${p}/NewShape`), g.i64([2]), g.i64([3])], `${p}/S`)],
        `${p}/SplitSizes`,
        { axis: 0 },
      ),
    ],
    `${p}/SplitProbs`,
    { axis: -1 },
    { outputs: 2 },
  );
  const out = g.op(
    "Add",
    [g.op("MatMul", [pPast, past.values], `${p}/PV_past`), g.op("MatMul", [pNew, vNew], `${p}/PV_new`)],
    `${p}/PV`,
  );
  const heads = g.op("Reshape", [out, g.i64([0, L.heads, -1, L.headDim])], `${p}/ungroup`);
  return mergeHeads(g, heads, L.heads, L.headDim, `${p}/merge`);
}

/** Cache bias [B,1,1,C]: position j < past_lengths[b]. New bias [rep·S, S]: causal within the new tokens. */
function appendMasks(w: GraphWeights, qh: string, cache: string, rep: number, inp: SelfAttentionInputs) {
  const g = w.g;
  const hit = inp.masks.get("append");
  if (hit) return JSON.parse(hit) as { pastBias: string; newBias: string };
  const p = "/model/append_mask";
  const one = g.constant(DT.INT64, [], [1n]);
  const zero = g.constant(DT.INT64, [], [0n]);
  const dim = (t: string, axis: number, n: string) =>
    g.op(
      "Squeeze",
      [
        g.op("Slice", [g.op("Shape", [t], `${p}/${n}Shape`), g.i64([axis]), g.i64([axis + 1])], `${p}/${n}Dim`),
        g.i64([0]),
      ],
      `${p}/${n}`,
    );
  const cap = dim(cache, 2, "C");
  const s = dim(qh, 2, "S");
  const cols = g.op("Range", [zero, cap, one], `${p}/CacheCols`);
  const lens = g.op("Unsqueeze", [inp.pastLengths!, g.i64([1, 2, 3])], `${p}/Lengths`);
  const pastBias = where(g, g.op("Less", [cols, lens], `${p}/Valid`), 0, MASKED, `${p}/PastBias`);
  const rows = g.op(
    "Mod",
    [
      g.op("Range", [zero, g.op("Mul", [s, g.constant(DT.INT64, [], [BigInt(rep)])], `${p}/RepS`), one], `${p}/Rows`),
      s,
    ],
    `${p}/RowPos`,
  );
  const newCols = g.op("Range", [zero, s, one], `${p}/NewCols`);
  const causal = g.op(
    "LessOrEqual",
    [g.op("Unsqueeze", [newCols, g.i64([0])], `${p}/NewColsU`), g.op("Unsqueeze", [rows, g.i64([1])], `${p}/RowPosU`)],
    `${p}/Causal`,
  );
  const newBias = where(g, causal, 0, MASKED, `${p}/NewBias`);
  inp.masks.set("append", JSON.stringify({ pastBias, newBias }));
  return { pastBias, newBias };
}

/** [B,1,S,T] for concat mode: key j visible to query s iff j ≤ past + s and attention_mask[b,j]. */
function concatMask(w: GraphWeights, q: string, kAll: string, inp: SelfAttentionInputs): string {
  const g = w.g;
  const hit = inp.masks.get("concat");
  if (hit) return hit;
  const p = "/model/causal_mask";
  const s = g.op("Slice", [g.op("Shape", [q], `${p}/QShape`), g.i64([2]), g.i64([3])], `${p}/S`);
  const t = g.op("Slice", [g.op("Shape", [kAll], `${p}/KShape`), g.i64([2]), g.i64([3])], `${p}/T`);
  const past = g.op("Sub", [t, s], `${p}/Past`);
  const scalar = (x: string, n: string) => g.op("Squeeze", [x, g.i64([0])], `${p}/${n}`);
  const one = g.constant(DT.INT64, [], [1n]);
  const rows = g.op("Range", [scalar(past, "past0"), scalar(t, "t0"), one], `${p}/Rows`);
  const cols = g.op("Range", [g.constant(DT.INT64, [], [0n]), scalar(t, "t1"), one], `${p}/Cols`);
  const causal = g.op(
    "LessOrEqual",
    [g.op("Unsqueeze", [cols, g.i64([0])], `${p}/ColsU`), g.op("Unsqueeze", [rows, g.i64([1])], `${p}/RowsU`)],
    `${p}/Causal`,
  );
  const pad = g.op("Cast", [g.op("Unsqueeze", [inp.attentionMask!, g.i64([1, 2])], `${p}/PadU`)], `${p}/PadBool`, {
    to: DT.BOOL,
  });
  const bias = where(g, g.op("And", [causal, pad], `${p}/Allowed`), 0, MASKED, `${p}/Bias`);
  inp.masks.set("concat", bias);
  return bias;
}

/** HF repeat_kv: [B,kv,T,d] → [B,kv·rep,T,d], each KV head serving `rep` query heads. */
function repeatKv(w: GraphWeights, t: string, path: string, rep: number): string {
  if (rep === 1) return t;
  const g = w.g;
  const shape = g.op("Shape", [t], `${path}/Shape`);
  const dim = (from: number, to: number, n: string) =>
    g.op("Slice", [shape, g.i64([from]), g.i64([to])], `${path}/${n}`);
  const [batch, kv, tail] = [dim(0, 1, "Batch"), dim(1, 2, "KvHeads"), dim(2, 4, "SeqDim")];
  const expanded = g.op(
    "Expand",
    [
      g.op("Unsqueeze", [t, g.i64([2])], `${path}/Unsqueeze`),
      g.op("Concat", [batch, kv, g.i64([rep]), tail], `${path}/Target`, { axis: 0 }),
    ],
    `${path}/Expand`,
  );
  const heads = g.op("Mul", [kv, g.i64([rep])], `${path}/Heads`);
  return g.op(
    "Reshape",
    [expanded, g.op("Concat", [batch, heads, tail], `${path}/Merged`, { axis: 0 })],
    `${path}/Reshape`,
  );
}

/** RoPE (HF rotate_half) on [B,S,heads·d]: RotaryEmbedding when fused, else gather + rotate. */
function rope(w: GraphWeights, x: string, heads: number, inp: SelfAttentionInputs, path: string): string {
  const g = w.g;
  if (w.opts.fused) {
    return g.op(
      "RotaryEmbedding",
      [x, inp.positionIds, inp.cos, inp.sin],
      `${path}/rotary`,
      { interleaved: 0, num_heads: heads },
      MS_DOMAIN,
    );
  }
  const table = (t: string, n: string) => {
    const gathered = g.op("Gather", [t, inp.positionIds], `${path}/${n}/Gather`, { axis: 0 });
    const full = g.op("Concat", [gathered, gathered], `${path}/${n}/Concat`, { axis: -1 });
    return g.op("Unsqueeze", [full, g.i64([2])], `${path}/${n}/Unsqueeze`);
  };
  const x4 = g.op("Reshape", [x, g.i64([0, 0, heads, -1])], `${path}/rope_heads`);
  const [x1, x2] = g.node("Split", [x4], `${path}/Split`, { axis: -1, num_outputs: 2 }, { outputs: 2 });
  const rotated = g.op("Concat", [g.op("Neg", [x2], `${path}/Neg`), x1], `${path}/Rotate`, { axis: -1 });
  const y = g.op(
    "Add",
    [
      g.op("Mul", [x4, table(inp.cos, "cos")], `${path}/MulCos`),
      g.op("Mul", [rotated, table(inp.sin, "sin")], `${path}/MulSin`),
    ],
    `${path}/Add`,
  );
  return g.op("Reshape", [y, g.i64([0, 0, -1])], `${path}/rope_merge`);
}
