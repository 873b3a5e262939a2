// One Hugging Face LlamaDecoderLayer: pre-RMSNorm causal self-attention with RoPE and
// grouped-query heads, then the SiLU-gated MLP; both residual. Positions are 0..seq-1
// because the reference always runs the whole sequence (no KV cache).
import type { ModelConfig } from "../config.js";
import { silu } from "./activations.js";
import { attention } from "./attention.js";
import { addScaled } from "./linalg.js";
import type { Project } from "./lora.js";
import { rmsNorm } from "./norms.js";
import { applyRope } from "./rope.js";
import type { Params } from "./weights.js";

/** x [seq × hidden] ← decoder layer i(x), in place. */
export function decoderLayer(config: ModelConfig, params: Params, project: Project, i: number, x: Float64Array): void {
  const { hidden, heads, kvHeads, headDim, rmsNormEps: eps, ropeTheta } = config.language;
  const b = `model.layers.${i}.`;
  const seq = x.length / hidden;
  const positions = Array.from({ length: seq }, (_, p) => p);

  const h = rmsNorm(x, hidden, params.get(`${b}input_layernorm.weight`), eps);
  const q = project(`${b}self_attn.q_proj.weight`, h, seq);
  const k = project(`${b}self_attn.k_proj.weight`, h, seq);
  const v = project(`${b}self_attn.v_proj.weight`, h, seq);
  applyRope(q, heads, headDim, positions, ropeTheta);
  applyRope(k, kvHeads, headDim, positions, ropeTheta);
  const a = attention(q, k, v, {
    nq: seq,
    nk: seq,
    heads,
    kvHeads,
    dimHead: headDim,
    scale: headDim ** -0.5,
    allowed: (t, j) => j <= t,
  });
  addScaled(x, project(`${b}self_attn.o_proj.weight`, a, seq));

  const h2 = rmsNorm(x, hidden, params.get(`${b}post_attention_layernorm.weight`), eps);
  const gate = project(`${b}mlp.gate_proj.weight`, h2, seq);
  const up = project(`${b}mlp.up_proj.weight`, h2, seq);
  for (let n = 0; n < gate.length; n++) gate[n] = silu(gate[n]) * up[n];
  addScaled(x, project(`${b}mlp.down_proj.weight`, gate, seq));
}
