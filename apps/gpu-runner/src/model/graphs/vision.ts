// The image graph: CLIP ViT (open_clip `vision_encoder.visual.*`) followed by the
// Perceiver resampler (`perceiver.*`), pixel_values → media_latents. Runs once per image.
//
//   pixel_values [n,3,S,S] ─Conv(p,stride p)─▶ [n,w,g,g] ─▶ [n,P,w]
//      ─concat class─▶ +pos ─ln_pre─▶ 24× resblock ─drop class─▶ feats [n,P,w]
//   latents [L,w] ─▶ depth× (PerceiverAttention(feats, latents) + FF) ─norm─▶ media_latents [n,L,w]

import { DT } from "../../onnx/graph-builder.js";
import type { ModelConfig } from "../config.js";
import { attention, gelu, layerNorm, mergeHeads, quickGelu, splitHeads } from "./ops.js";
import type { GraphWeights } from "./weights.js";

export const VISION_INPUT = "pixel_values";
export const VISION_OUTPUT = "media_latents";

export function buildVision(c: ModelConfig, w: GraphWeights): void {
  const g = w.g;
  const v = c.vision;
  const V = "vision_encoder.visual";
  const pixels = g.input(VISION_INPUT, DT.FLOAT, ["num_images", 3, v.imageSize, v.imageSize]);

  // Patch embedding: a strided conv without bias, flattened to tokens.
  const conv = g.op("Conv", [pixels, w.tensor(`${V}.conv1.weight`)], "/vision/conv1", {
    kernel_shape: [v.patchSize, v.patchSize],
    strides: [v.patchSize, v.patchSize],
  });
  const flat = g.op("Reshape", [conv, g.i64([0, v.width, -1])], "/vision/patches/Reshape");
  const patches = g.op("Transpose", [flat], "/vision/patches/Transpose", { perm: [0, 2, 1] });

  // Class token, broadcast over the image batch.
  const n = g.op("Slice", [g.op("Shape", [pixels], "/vision/Shape"), g.i64([0]), g.i64([1])], "/vision/BatchDim");
  const cls = g.op("Reshape", [w.tensor(`${V}.class_embedding`), g.i64([1, 1, v.width])], "/vision/class/Reshape");
  const clsB = g.op(
    "Expand",
    [cls, g.op("Concat", [n, g.i64([1, v.width])], "/vision/class/Shape", { axis: 0 })],
    "/vision/class/Expand",
  );
  let x = g.op("Concat", [clsB, patches], "/vision/tokens", { axis: 1 });
  x = g.op("Add", [x, w.tensor(`${V}.positional_embedding`)], "/vision/pos");
  x = layerNorm(w, x, `${V}.ln_pre`, v.layerNormEps, "/vision/ln_pre");

  const hd = v.width / v.heads;
  for (let i = 0; i < v.layers; i++) {
    const b = `${V}.transformer.resblocks.${i}`;
    const p = `/vision/resblocks.${i}`;
    const h = layerNorm(w, x, `${b}.ln_1`, v.layerNormEps, `${p}/ln_1`);
    const qkv = g.op(
      "Add",
      [w.linear(h, `${b}.attn.in_proj_weight`, `${p}/attn/in_proj`), w.tensor(`${b}.attn.in_proj_bias`)],
      `${p}/attn/in_proj/Bias`,
    );
    const [q, k, vv] = g.node(
      "Split",
      [qkv, g.i64([v.width, v.width, v.width])],
      `${p}/attn/Split`,
      { axis: -1 },
      { outputs: 3 },
    );
    const heads = (t: string, name: string) => splitHeads(g, t, v.heads, hd, `${p}/attn/${name}`);
    const o = attention(g, heads(q, "q"), heads(k, "k"), heads(vv, "v"), hd ** -0.5, null, `${p}/attn/sdpa`);
    const merged = mergeHeads(g, o, v.heads, hd, `${p}/attn/merge`);
    const proj = g.op(
      "Add",
      [w.linear(merged, `${b}.attn.out_proj.weight`, `${p}/attn/out_proj`), w.tensor(`${b}.attn.out_proj.bias`)],
      `${p}/attn/out_proj/Bias`,
    );
    x = g.op("Add", [x, proj], `${p}/attn/Residual`);
    const h2 = layerNorm(w, x, `${b}.ln_2`, v.layerNormEps, `${p}/ln_2`);
    const fc = g.op(
      "Add",
      [w.linear(h2, `${b}.mlp.c_fc.weight`, `${p}/mlp/c_fc`), w.tensor(`${b}.mlp.c_fc.bias`)],
      `${p}/mlp/c_fc/Bias`,
    );
    const act = quickGelu(g, fc, `${p}/mlp/act`);
    const out = g.op(
      "Add",
      [w.linear(act, `${b}.mlp.c_proj.weight`, `${p}/mlp/c_proj`), w.tensor(`${b}.mlp.c_proj.bias`)],
      `${p}/mlp/c_proj/Bias`,
    );
    x = g.op("Add", [x, out], `${p}/mlp/Residual`);
  }
  // Flamingo uses the patch tokens of the last block: class token dropped, no ln_post/proj.
  const feats = g.op("Slice", [x, g.i64([1]), g.i64([2 ** 62]), g.i64([1])], "/vision/drop_class");

  const latents = perceiver(c, w, feats, n);
  g.node("Identity", [latents], "/perceiver/out", {}, { outputs: [VISION_OUTPUT] });
  g.output(VISION_OUTPUT, DT.FLOAT, ["num_images", c.perceiver.numLatents, c.perceiver.dim]);
}

function perceiver(c: ModelConfig, w: GraphWeights, media: string, n: string): string {
  const g = w.g;
  const p = c.perceiver;
  const inner = p.heads * p.dimHead;
  const lat0 = g.op("Unsqueeze", [w.tensor("perceiver.latents"), g.i64([0])], "/perceiver/latents/Unsqueeze");
  let lat = g.op(
    "Expand",
    [lat0, g.op("Concat", [n, g.i64([p.numLatents, p.dim])], "/perceiver/latents/Shape", { axis: 0 })],
    "/perceiver/latents/Expand",
  );
  for (let l = 0; l < p.depth; l++) {
    const a = `perceiver.layers.${l}.0`;
    const path = `/perceiver/layers.${l}/attn`;
    const xm = layerNorm(w, media, `${a}.norm_media`, p.layerNormEps, `${path}/norm_media`);
    const xl = layerNorm(w, lat, `${a}.norm_latents`, p.layerNormEps, `${path}/norm_latents`);
    const q = w.linear(xl, `${a}.to_q.weight`, `${path}/to_q`);
    // Keys and values come from the media AND the latents themselves.
    const kvIn = g.op("Concat", [xm, xl], `${path}/kv_input`, { axis: 1 });
    const kv = w.linear(kvIn, `${a}.to_kv.weight`, `${path}/to_kv`);
    const [k, v] = g.node("Split", [kv, g.i64([inner, inner])], `${path}/kv/Split`, { axis: -1 }, { outputs: 2 });
    const heads = (t: string, name: string) => splitHeads(g, t, p.heads, p.dimHead, `${path}/${name}`);
    const o = attention(g, heads(q, "q"), heads(k, "k"), heads(v, "v"), p.dimHead ** -0.5, null, `${path}/sdpa`);
    const out = w.linear(mergeHeads(g, o, p.heads, p.dimHead, `${path}/merge`), `${a}.to_out.weight`, `${path}/to_out`);
    lat = g.op("Add", [lat, out], `${path}/Residual`);

    const f = `perceiver.layers.${l}.1`;
    const fp = `/perceiver/layers.${l}/ff`;
    const h = layerNorm(w, lat, `${f}.0`, p.layerNormEps, `${fp}/norm`);
    const up = gelu(g, w.linear(h, `${f}.1.weight`, `${fp}/up`), `${fp}/gelu`);
    lat = g.op("Add", [lat, w.linear(up, `${f}.3.weight`, `${fp}/down`)], `${fp}/Residual`);
  }
  return layerNorm(w, lat, "perceiver.norm", p.layerNormEps, "/perceiver/norm");
}
