// Flamingo's GatedCrossAttentionBlock (OpenFlamingo helpers.py), run before some decoder
// layers: tanh-gated masked cross-attention from text to media latents, then a tanh-gated FF.
//
//   x ─► LN(attn.norm) ─► to_q ─► q ──┐
//   latents of all images ─► to_kv ─► k | v ─► attention (token t ↔ image textTime[t] only)
//                                   ─► to_out ─► × tanh(attn_gate) ─► x +=
//   x ─► LN(ff.0) ─► ff.1 ─► GELU ─► ff.3 ─► × tanh(ff_gate) ─► x +=      (every token)
import type { ModelConfig } from "../config.js";
import { gelu, mapInPlace } from "./activations.js";
import { attention } from "./attention.js";
import { addScaled, sliceCols } from "./linalg.js";
import type { Project } from "./lora.js";
import { layerNorm } from "./norms.js";
import type { Params } from "./weights.js";

/**
 * MaskedCrossAttention: x [seq × hidden], media = every image's latents stacked in order
 * [(T·numLatents) × mediaDim]. Token t attends only to the numLatents keys of image textTime[t];
 * textTime 0 means no allowed key, hence an all-zero attention (and to_out has no bias).
 */
export function maskedCrossAttention(
  config: ModelConfig,
  params: Params,
  project: Project,
  layer: number,
  x: Float64Array,
  media: Float64Array,
  textTime: readonly number[],
): Float64Array {
  const { hidden } = config.language;
  const { heads, dimHead, mediaDim, layerNormEps: eps } = config.crossAttention;
  const { numLatents } = config.perceiver;
  const b = `lang_encoder.gated_cross_attn_layers.${layer}.attn.`;
  const seq = textTime.length;
  const nk = media.length / mediaDim;
  const inner = heads * dimHead;

  const h = layerNorm(x, hidden, params.get(`${b}norm.weight`), params.get(`${b}norm.bias`), eps);
  const q = project(`${b}to_q.weight`, h, seq);
  // to_kv(media).chunk(2, dim=-1): k is the first half of the output features, v the second.
  const kv = project(`${b}to_kv.weight`, media, nk);
  const k = sliceCols(kv, nk, 2 * inner, 0, inner);
  const v = sliceCols(kv, nk, 2 * inner, inner, 2 * inner);
  const a = attention(q, k, v, {
    nq: seq,
    nk,
    heads,
    kvHeads: heads,
    dimHead,
    scale: dimHead ** -0.5,
    allowed: (t, j) => textTime[t] > 0 && Math.floor(j / numLatents) + 1 === textTime[t],
  });
  return project(`${b}to_out.weight`, a, seq);
}

/** Flamingo FeedForward: ff.3(GELU(ff.1(LN_ff.0(x)))), no biases on the linears. */
function gatedFeedForward(config: ModelConfig, params: Params, project: Project, layer: number, x: Float64Array) {
  const { hidden } = config.language;
  const b = `lang_encoder.gated_cross_attn_layers.${layer}.ff.`;
  const seq = x.length / hidden;
  const h = layerNorm(
    x,
    hidden,
    params.get(`${b}0.weight`),
    params.get(`${b}0.bias`),
    config.crossAttention.layerNormEps,
  );
  const mid = mapInPlace(project(`${b}1.weight`, h, seq), gelu);
  return project(`${b}3.weight`, mid, seq);
}

/** x += tanh(attn_gate)·MaskedCrossAttention(x); x += tanh(ff_gate)·FF(x). In place. */
export function gatedCrossAttentionBlock(
  config: ModelConfig,
  params: Params,
  project: Project,
  layer: number,
  x: Float64Array,
  media: Float64Array,
  textTime: readonly number[],
): void {
  const b = `lang_encoder.gated_cross_attn_layers.${layer}.`;
  const attn = maskedCrossAttention(config, params, project, layer, x, media, textTime);
  addScaled(x, attn, Math.tanh(params.scalar(`${b}attn_gate`)));
  // The FF runs for every token, including those whose cross-attention was zeroed.
  addScaled(x, gatedFeedForward(config, params, project, layer, x), Math.tanh(params.scalar(`${b}ff_gate`)));
}
