// The language model: LLaMA with OpenFlamingo's gated cross-attention blocks, KV cache
// in and out, a batch dimension, and logits for the last `num_logits_to_keep` positions.
//
//   input_ids ─embed─▶ x ─┬─ [gated xattn block before layer i when (i+1) % every == 0]
//                         ├─ RMSNorm ─ q,k,v ─ RoPE ─ attention over cache + new ─ o_proj ─ +x
//                         └─ RMSNorm ─ down(silu(gate)·up) ─ +x        (× layers)
//   ─ norm ─ last num_logits_to_keep positions ─ lm_head ─▶ logits
//
// Which image a token sees is an INPUT (`media_time`, 1-based, 0 = none) computed by the
// engine from the model's media rule, so the graph serves OpenFlamingo v1 and v2 alike.

import { bytesOf, DT } from "../../onnx/graph-builder.js";
import { crossAttentionLayers, type ModelConfig } from "../config.js";
import { mediaKeyName, mediaValueName } from "./media-kv.js";
import {
  addRmsNorm,
  attention,
  castFloat,
  gelu,
  layerNorm,
  MASKED,
  mergeHeads,
  rmsNorm,
  silu,
  splitHeads,
  where,
} from "./ops.js";
import { type SelfAttentionInputs, selfAttention, selfAttentionInputs } from "./self-attention.js";
import type { GraphWeights } from "./weights.js";

export { pastKeyName, pastValueName, presentKeyName, presentValueName } from "./self-attention.js";

/** Inputs shared by every layer, created once. */
interface DecoderInputs extends SelfAttentionInputs {
  /** Cross-attention: additive bias [B,1,S,M], row validity [B,S,1], per-sequence gate [B,1,1]. */
  mediaBias: string;
  mediaRowValid: string;
  hasMedia: string;
}

export function buildDecoder(c: ModelConfig, w: GraphWeights): void {
  const g = w.g;
  const L = c.language;
  const ids = g.input("input_ids", DT.INT64, ["batch_size", "sequence_length"]);
  const inputs: DecoderInputs = { ...selfAttentionInputs(c, w), ...mediaInputs(c, w) };
  const keep = g.input("num_logits_to_keep", DT.INT64, []);

  let x = g.op("Gather", [w.tensor("model.embed_tokens.weight"), ids], "/model/embed_tokens", { axis: 0 });
  const xLayers = new Set(crossAttentionLayers(c));
  for (let i = 0; i < L.layers; i++) {
    if (xLayers.has(i)) x = gatedCrossAttention(c, w, x, i, inputs);
    x = decoderLayer(c, w, x, i, inputs);
  }
  const normed = rmsNorm(w, x, "model.norm.weight", L.rmsNormEps, "/model/norm");
  const negKeep = g.op("Neg", [g.op("Unsqueeze", [keep, g.i64([0])], "/model/keep/Unsqueeze")], "/model/keep/Neg");
  const last = g.op("Slice", [normed, negKeep, g.i64([2 ** 62]), g.i64([1])], "/model/keep/Slice");
  const logits = w.linear(last, "lm_head.weight", "/lm_head");
  g.node("Identity", [logits], "/lm_head/out", {}, { outputs: ["logits"] });
  g.output("logits", DT.FLOAT, ["batch_size", "logits_length", L.vocabSize]);
  // Plain greedy decoding needs only the best id per row: fetching it instead of the logits
  // spares onnxruntime-node's copy of every row (128 KB at LLaMA's vocab) into a fresh JS buffer
  // each step, and the garbage collections that allocation drives. `<image>` and `<PAD>` are
  // never generated (as in the sampler); ties go to the lowest id (ArgMax's first index).
  const banned = new Float32Array(L.vocabSize);
  for (const id of [c.tokens.image, c.tokens.pad]) banned[id] = Number.NEGATIVE_INFINITY;
  const allowed = g.op(
    "Add",
    [logits, g.initializer("greedy_banned_bias", DT.FLOAT, [L.vocabSize], bytesOf(banned))],
    "/greedy/mask",
  );
  g.node("ArgMax", [allowed], "/greedy/ArgMax", { axis: -1, keepdims: 0 }, { outputs: [GREEDY_IDS] });
  g.output(GREEDY_IDS, DT.INT64, ["batch_size", "logits_length"]);
}

/** Decoder output: the argmax of each kept logits row, banned ids excluded. */
export const GREEDY_IDS = "greedy_ids";

function decoderLayer(c: ModelConfig, w: GraphWeights, x: string, i: number, inputs: DecoderInputs): string {
  const g = w.g;
  const L = c.language;
  const b = `model.layers.${i}`;
  const p = `/model/layers.${i}`;
  const h = rmsNorm(w, x, `${b}.input_layernorm.weight`, L.rmsNormEps, `${p}/input_layernorm`);
  const q = w.linear(h, `${b}.self_attn.q_proj.weight`, `${p}/attn/q_proj`);
  const k = w.linear(h, `${b}.self_attn.k_proj.weight`, `${p}/attn/k_proj`);
  const v = w.linear(h, `${b}.self_attn.v_proj.weight`, `${p}/attn/v_proj`);
  const attn = selfAttention(c, w, q, k, v, i, inputs);
  const o = w.linear(attn, `${b}.self_attn.o_proj.weight`, `${p}/attn/o_proj`);
  const { normed, sum } = addRmsNorm(
    w,
    o,
    x,
    `${b}.post_attention_layernorm.weight`,
    L.rmsNormEps,
    `${p}/post_attention_layernorm`,
  );
  const gate = silu(g, w.linear(normed, `${b}.mlp.gate_proj.weight`, `${p}/mlp/gate_proj`), `${p}/mlp/act`);
  const up = w.linear(normed, `${b}.mlp.up_proj.weight`, `${p}/mlp/up_proj`);
  const down = w.linear(g.op("Mul", [gate, up], `${p}/mlp/Mul`), `${b}.mlp.down_proj.weight`, `${p}/mlp/down_proj`);
  return g.op("Add", [sum, down], `${p}/mlp/Residual`);
}

/**
 * Cross-attention inputs and the masks shared by every gated block. Media K/V come in as
 * [B, M, heads, dim] (images concatenated, M = images·latents); key m belongs to image
 * ⌊m / latents⌋ + 1, and a token sees image `media_time` only.
 */
function mediaInputs(c: ModelConfig, w: GraphWeights): Pick<DecoderInputs, "mediaBias" | "mediaRowValid" | "hasMedia"> {
  const g = w.g;
  const x = c.crossAttention;
  const layers = crossAttentionLayers(c);
  const p = "/model/media_mask";
  const time = g.input("media_time", DT.INT64, ["batch_size", "sequence_length"]);
  const has = g.input("has_media", DT.FLOAT, ["batch_size"]);
  for (const i of layers) {
    g.input(mediaKeyName(i), DT.FLOAT, ["batch_size", "media_length", x.heads, x.dimHead]);
    g.input(mediaValueName(i), DT.FLOAT, ["batch_size", "media_length", x.heads, x.dimHead]);
  }
  if (layers.length === 0) return { mediaBias: "", mediaRowValid: "", hasMedia: "" };
  const m = g.op(
    "Squeeze",
    [
      g.op("Slice", [g.op("Shape", [mediaKeyName(layers[0])], `${p}/Shape`), g.i64([1]), g.i64([2])], `${p}/M`),
      g.i64([0]),
    ],
    `${p}/M0`,
  );
  const pos = g.op("Range", [g.constant(DT.INT64, [], [0n]), m, g.constant(DT.INT64, [], [1n])], `${p}/Range`);
  const image = g.op(
    "Add",
    [
      g.op("Div", [pos, g.constant(DT.INT64, [], [BigInt(c.perceiver.numLatents)])], `${p}/Div`),
      g.constant(DT.INT64, [], [1n]),
    ],
    `${p}/ImageOf`,
  );
  const t4 = g.op("Unsqueeze", [time, g.i64([1, 3])], `${p}/TimeU`);
  const visible = g.op("Equal", [t4, image], `${p}/Visible`);
  const mediaBias = where(g, visible, 0, MASKED, `${p}/Bias`);
  const valid = g.op("Greater", [time, g.constant(DT.INT64, [], [0n])], `${p}/HasImage`);
  const mediaRowValid = g.op("Unsqueeze", [castFloat(g, valid, `${p}/HasImageF`), g.i64([2])], `${p}/RowValid`);
  const hasMedia = g.op("Reshape", [has, g.i64([-1, 1, 1])], `${p}/HasMedia`);
  return { mediaBias, mediaRowValid, hasMedia };
}

/**
 * Flamingo's GatedCrossAttentionBlock:
 *   x += tanh(attn_gate) · MaskedCrossAttention(LN(x), media)   (rows with no image → 0)
 *   x += tanh(ff_gate) · FF(x)
 * both scaled by has_media so language-only sequences equal plain LLaMA.
 */
function gatedCrossAttention(c: ModelConfig, w: GraphWeights, x: string, i: number, inp: DecoderInputs): string {
  const g = w.g;
  const xc = c.crossAttention;
  const b = `lang_encoder.gated_cross_attn_layers.${i}`;
  const p = `/model/layers.${i}/cross_attn`;
  const h = layerNorm(w, x, `${b}.attn.norm`, xc.layerNormEps, `${p}/norm`);
  const q = splitHeads(g, w.linear(h, `${b}.attn.to_q.weight`, `${p}/to_q`), xc.heads, xc.dimHead, `${p}/q_heads`);
  const kv = (name: string, n: string) => g.op("Transpose", [name], `${p}/${n}_heads`, { perm: [0, 2, 1, 3] });
  const o = attention(
    g,
    q,
    kv(mediaKeyName(i), "k"),
    kv(mediaValueName(i), "v"),
    xc.dimHead ** -0.5,
    inp.mediaBias,
    `${p}/sdpa`,
  );
  const merged = mergeHeads(g, o, xc.heads, xc.dimHead, `${p}/merge`);
  const out = g.op(
    "Mul",
    [w.linear(merged, `${b}.attn.to_out.weight`, `${p}/to_out`), inp.mediaRowValid],
    `${p}/ZeroNoImage`,
  );
  const attnGate = g.op(
    "Mul",
    [g.op("Tanh", [w.tensor(`${b}.attn_gate`)], `${p}/attn_gate/Tanh`), inp.hasMedia],
    `${p}/attn_gate/Mul`,
  );
  x = g.op("Add", [x, g.op("Mul", [out, attnGate], `${p}/attn_gate/Apply`)], `${p}/attn_gate/Residual`);

  const fp = `/model/layers.${i}/cross_ff`;
  const fh = layerNorm(w, x, `${b}.ff.0`, xc.layerNormEps, `${fp}/norm`);
  const up = gelu(g, w.linear(fh, `${b}.ff.1.weight`, `${fp}/up`), `${fp}/gelu`);
  const down = w.linear(up, `${b}.ff.3.weight`, `${fp}/down`);
  const ffGate = g.op(
    "Mul",
    [g.op("Tanh", [w.tensor(`${b}.ff_gate`)], `${fp}/ff_gate/Tanh`), inp.hasMedia],
    `${fp}/ff_gate/Mul`,
  );
  return g.op("Add", [x, g.op("Mul", [down, ffGate], `${fp}/ff_gate/Apply`)], `${fp}/ff_gate/Residual`);
}
