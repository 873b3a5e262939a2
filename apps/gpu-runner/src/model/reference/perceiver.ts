// OpenFlamingo's Perceiver resampler: a fixed set of learned latents cross-attends to one
// image's patch features (and to themselves), giving [numLatents × dim] per image. No
// media-time or frame embeddings exist in this model, so it sees the patches as a set.
import type { ModelConfig } from "../config.js";
import { gelu, mapInPlace } from "./activations.js";
import { attention } from "./attention.js";
import { addScaled, linear, sliceCols } from "./linalg.js";
import { layerNorm } from "./norms.js";
import { visionFeatures } from "./vision.js";
import { Params, type RefWeights } from "./weights.js";

/** latents += to_out(attn(q = to_q(LN(latents)), k/v = to_kv(concat(LN(media), LN(latents))))). */
function perceiverAttention(
  config: ModelConfig,
  params: Params,
  l: number,
  media: Float64Array,
  latents: Float64Array,
) {
  const { dim, heads, dimHead, numLatents, layerNormEps: eps } = config.perceiver;
  const g = (name: string) => params.get(`perceiver.layers.${l}.0.${name}`);
  const inner = heads * dimHead;
  const nMedia = media.length / dim;

  const x = layerNorm(media, dim, g("norm_media.weight"), g("norm_media.bias"), eps);
  const lat = layerNorm(latents, dim, g("norm_latents.weight"), g("norm_latents.bias"), eps);
  const q = linear(lat, numLatents, g("to_q.weight"), inner, dim);
  const kvIn = new Float64Array((nMedia + numLatents) * dim);
  kvIn.set(x, 0);
  kvIn.set(lat, nMedia * dim);
  const nk = nMedia + numLatents;
  // to_kv(...).chunk(2, dim=-1): k is the first `inner` output features, v the rest.
  const kv = linear(kvIn, nk, g("to_kv.weight"), 2 * inner, dim);
  const k = sliceCols(kv, nk, 2 * inner, 0, inner);
  const v = sliceCols(kv, nk, 2 * inner, inner, 2 * inner);
  const a = attention(q, k, v, { nq: numLatents, nk, heads, kvHeads: heads, dimHead, scale: dimHead ** -0.5 });
  addScaled(latents, linear(a, numLatents, g("to_out.weight"), dim, inner));
}

/** latents += W3 · GELU(W1 · LN(latents)). */
function perceiverFeedForward(config: ModelConfig, params: Params, l: number, latents: Float64Array) {
  const { dim, ffMult, numLatents, layerNormEps: eps } = config.perceiver;
  const g = (name: string) => params.get(`perceiver.layers.${l}.1.${name}`);
  const h = layerNorm(latents, dim, g("0.weight"), g("0.bias"), eps);
  const mid = mapInPlace(linear(h, numLatents, g("1.weight"), dim * ffMult, dim), gelu);
  addScaled(latents, linear(mid, numLatents, g("3.weight"), dim, dim * ffMult));
}

/** Media latents [numLatents × dim] of one image's features [n × dim]; params already bound. */
export function perceiverLatents(config: ModelConfig, params: Params, feats: Float64Array): Float64Array {
  const p = config.perceiver;
  if (feats.length === 0 || feats.length % p.dim !== 0) {
    throw new Error(`perceiver: ${feats.length} feature values is not a whole number of ${p.dim}-wide rows`);
  }
  const latents = Float64Array.from(params.get("perceiver.latents"));
  for (let l = 0; l < p.depth; l++) {
    perceiverAttention(config, params, l, feats, latents);
    perceiverFeedForward(config, params, l, latents);
  }
  return layerNorm(
    latents,
    p.dim,
    params.get("perceiver.norm.weight"),
    params.get("perceiver.norm.bias"),
    p.layerNormEps,
  );
}

/** Perceiver resampler: patch features [numPatches × dim] → media latents [numLatents × dim]. */
export function referencePerceiver(config: ModelConfig, weights: RefWeights, feats: Float64Array): Float64Array {
  return perceiverLatents(config, new Params(config, weights), feats);
}

/** One image, normalized CHW pixels → media latents [numLatents × dim]: perceiver(vision(pixels)). */
export function referenceMediaLatents(
  config: ModelConfig,
  weights: RefWeights,
  pixels: Float32Array | Float64Array,
): Float64Array {
  const params = new Params(config, weights);
  return perceiverLatents(config, params, visionFeatures(config, params, pixels));
}
