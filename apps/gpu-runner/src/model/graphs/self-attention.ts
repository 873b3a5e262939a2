// LLaMA self-attention with RoPE over the engine's KV cache. The cache design ("append"):
//   past [B,kv,C,d] is a read-only view of the engine's cache (C = its capacity, `past_lengths`
//   valid per row); present = the NEW positions only [B,kv,S,d], which the engine writes into
//   its buffers. Nothing of size O(context) is copied: attention reads the cache in place
//   (scores over cache and new keys are concatenated before one softmax).
// Designs that fed a whole `present` back as `past` (Concat), or bound one max-length buffer
// as both (GroupQueryAttention), cost a copy of the cache per token in onnxruntime-node, which
// copies every output into a fresh JS buffer; they were measured and removed.
import { DT, float, MS_DOMAIN } from "../../onnx/graph-builder.js";
import type { ModelConfig } from "../config.js";
import { MASKED, mergeHeads, splitHeads, where } from "./ops.js";
import { ropeCaches } from "./rope.js";
import type { GraphWeights } from "./weights.js";

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
  /** [B] valid cache positions per row. */
  pastLengths: string;
  /** Masks built once per graph and reused by every layer. */
  masks: Map<string, string>;
}

/** Declares the cache inputs/outputs of every layer and the inputs they share. */
export function selfAttentionInputs(c: ModelConfig, w: GraphWeights): SelfAttentionInputs {
  const g = w.g;
  const L = c.language;
  const positionIds = g.input("position_ids", DT.INT64, ["batch_size", "sequence_length"]);
  const inp: SelfAttentionInputs = {
    positionIds,
    ...ropeCaches(g, L.headDim, L.maxPositions, L.ropeTheta),
    pastLengths: g.input("past_lengths", DT.INT64, ["batch_size"]),
    masks: new Map(),
  };
  const kvType = w.opts.kvDtype === "fp16" ? DT.FLOAT16 : DT.FLOAT;
  for (let i = 0; i < L.layers; i++) {
    for (const name of [pastKeyName(i), pastValueName(i)])
      g.input(name, kvType, ["batch_size", L.kvHeads, "cache_capacity", L.headDim]);
    for (const name of [presentKeyName(i), presentValueName(i)])
      g.output(name, kvType, ["batch_size", L.kvHeads, "sequence_length", L.headDim]);
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
  const qh = splitHeads(g, rope(w, q, L.heads, inp, `${p}/q`), L.heads, L.headDim, `${p}/q_heads`);
  const kNew = splitHeads(g, rope(w, k, L.kvHeads, inp, `${p}/k`), L.kvHeads, L.headDim, `${p}/k_heads`);
  const vNew = splitHeads(g, v, L.kvHeads, L.headDim, `${p}/v_heads`);
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
  const lens = g.op("Unsqueeze", [inp.pastLengths, g.i64([1, 2, 3])], `${p}/Lengths`);
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
