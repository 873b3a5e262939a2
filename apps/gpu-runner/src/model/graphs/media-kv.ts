// Media latents → every gated cross-attention layer's keys and values. Media K/V never
// change while decoding, so they are computed once per image (and cached by image hash)
// instead of on every decode step.
//
//   media_latents [n,L,dm] ─to_kv─▶ [n,L,2·xi] ─split─▶ k,v ─▶ media_keys.{i} [n,L,xh,dh]
//
// Layout is [image, latent, head, dim] so one image's K/V is one contiguous block: the
// engine builds a sequence's media input by concatenating blocks, without transposes.

import { DT } from "../../onnx/graph-builder.js";
import { crossAttentionLayers, type ModelConfig } from "../config.js";
import type { GraphWeights } from "./weights.js";

export const MEDIA_KV_INPUT = "media_latents";
export const mediaKeyName = (layer: number) => `media_keys.${layer}`;
export const mediaValueName = (layer: number) => `media_values.${layer}`;

export function buildMediaKv(c: ModelConfig, w: GraphWeights): void {
  const g = w.g;
  const x = c.crossAttention;
  const inner = x.heads * x.dimHead;
  const lat = g.input(MEDIA_KV_INPUT, DT.FLOAT, ["num_images", c.perceiver.numLatents, x.mediaDim]);
  for (const i of crossAttentionLayers(c)) {
    const path = `/model/layers.${i}/cross_attn/to_kv`;
    const kv = w.linear(lat, `lang_encoder.gated_cross_attn_layers.${i}.attn.to_kv.weight`, path);
    const [k, v] = g.node("Split", [kv, g.i64([inner, inner])], `${path}/Split`, { axis: -1 }, { outputs: 2 });
    const shape = g.i64([0, 0, x.heads, x.dimHead]);
    g.node("Reshape", [k, shape], `${path}/k_out`, {}, { outputs: [mediaKeyName(i)] });
    g.node("Reshape", [v, shape], `${path}/v_out`, {}, { outputs: [mediaValueName(i)] });
    g.output(mediaKeyName(i), DT.FLOAT, ["num_images", c.perceiver.numLatents, x.heads, x.dimHead]);
    g.output(mediaValueName(i), DT.FLOAT, ["num_images", c.perceiver.numLatents, x.heads, x.dimHead]);
  }
}
