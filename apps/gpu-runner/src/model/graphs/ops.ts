// Small subgraphs shared by the vision, perceiver and decoder graphs: norms, activations,
// head reshapes and plain scaled-dot-product attention. Each takes value names and returns
// the output name; `path` prefixes node names.
import { DT, float, type GraphBuilder, MS_DOMAIN } from "../../onnx/graph-builder.js";
import type { GraphWeights } from "./weights.js";

/** LayerNormalization (opset 17) with the checkpoint's `{prefix}.weight` / `{prefix}.bias`. */
export function layerNorm(w: GraphWeights, x: string, prefix: string, eps: number, path: string): string {
  return w.g.op("LayerNormalization", [x, w.tensor(`${prefix}.weight`), w.tensor(`${prefix}.bias`)], path, {
    axis: -1,
    epsilon: float(eps),
  });
}

/** LLaMA RMSNorm: x / sqrt(mean(x²) + eps) · w. */
export function rmsNorm(w: GraphWeights, x: string, weight: string, eps: number, path: string): string {
  const g = w.g;
  if (w.opts.fused) {
    return g.op("SimplifiedLayerNormalization", [x, w.tensor(weight)], path, { axis: -1, epsilon: float(eps) });
  }
  const sq = g.op("Mul", [x, x], `${path}/Square`);
  const mean = g.op("ReduceMean", [sq, g.i64([-1])], `${path}/ReduceMean`, { keepdims: 1 });
  const denom = g.op("Sqrt", [g.op("Add", [mean, g.f32([eps], [])], `${path}/AddEps`)], `${path}/Sqrt`);
  const normed = g.op("Div", [x, denom], `${path}/Div`);
  return g.op("Mul", [normed, w.tensor(weight)], `${path}/Scale`);
}

/**
 * Residual add followed by RMSNorm. Returns [normed, sum]. Fused: one
 * SkipSimplifiedLayerNormalization, whose 4th output is the residual sum.
 */
export function addRmsNorm(w: GraphWeights, x: string, residual: string, weight: string, eps: number, path: string) {
  const g = w.g;
  if (w.opts.fused) {
    const [normed, , , sum] = g.node(
      "SkipSimplifiedLayerNormalization",
      [x, residual, w.tensor(weight)],
      path,
      { epsilon: float(eps) },
      { domain: MS_DOMAIN, outputs: 4 },
    );
    return { normed, sum };
  }
  const sum = g.op("Add", [residual, x], `${path}/Add`);
  return { normed: rmsNorm(w, sum, weight, eps, path), sum };
}

export function gelu(g: GraphBuilder, x: string, path: string): string {
  return g.op("Gelu", [x], path, { approximate: "none" });
}

/** OpenAI CLIP's QuickGELU: x · sigmoid(1.702 x). */
export function quickGelu(g: GraphBuilder, x: string, path: string): string {
  const s = g.op("Sigmoid", [g.op("Mul", [x, g.f32([1.702], [])], `${path}/Scale`)], `${path}/Sigmoid`);
  return g.op("Mul", [x, s], `${path}/Mul`);
}

export function silu(g: GraphBuilder, x: string, path: string): string {
  return g.op("Mul", [x, g.op("Sigmoid", [x], `${path}/Sigmoid`)], `${path}/Mul`);
}

/** [B, S, H·d] → [B, H, S, d]. */
export function splitHeads(g: GraphBuilder, x: string, heads: number, dim: number, path: string): string {
  const r = g.op("Reshape", [x, g.i64([0, 0, heads, dim])], `${path}/Reshape`);
  return g.op("Transpose", [r], `${path}/Transpose`, { perm: [0, 2, 1, 3] });
}

/** [B, H, S, d] → [B, S, H·d]. */
export function mergeHeads(g: GraphBuilder, x: string, heads: number, dim: number, path: string): string {
  const t = g.op("Transpose", [x], `${path}/Transpose`, { perm: [0, 2, 1, 3] });
  return g.op("Reshape", [t, g.i64([0, 0, heads * dim])], `${path}/Reshape`);
}

/** softmax(q·kᵀ·scale + bias)·v over [B, H, S, d] tensors; bias broadcasts to [B, H, S, T]. */
export function attention(
  g: GraphBuilder,
  q: string,
  k: string,
  v: string,
  scale: number,
  bias: string | null,
  path: string,
) {
  const kt = g.op("Transpose", [k], `${path}/KT`, { perm: [0, 1, 3, 2] });
  let scores = g.op("MatMul", [q, kt], `${path}/QK`);
  scores = g.op("Mul", [scores, g.f32([scale], [])], `${path}/Scale`);
  if (bias) scores = g.op("Add", [scores, bias], `${path}/Bias`);
  const probs = g.op("Softmax", [scores], `${path}/Softmax`, { axis: -1 });
  return g.op("MatMul", [probs, v], `${path}/PV`);
}

/** Large negative used for masked scores: finite so fully masked rows stay NaN-free. */
export const MASKED = -1e30;

export function where(g: GraphBuilder, cond: string, a: number, b: number, path: string): string {
  return g.op("Where", [cond, g.f32([a], []), g.f32([b], [])], path);
}

export function castFloat(g: GraphBuilder, x: string, path: string): string {
  return g.op("Cast", [x], path, { to: DT.FLOAT });
}
