// The tensors a model directory must hold, under the original checkpoint names
// (HF LLaMA, open_clip `vision_encoder.visual.*`, OpenFlamingo `perceiver.*` and
// `lang_encoder.gated_cross_attn_layers.*`, peft LoRA). Loader, generator and
// reference all read this one table, so a name can never drift between them.
import { crossAttentionLayers, type ModelConfig, numPatches } from "../model/config.js";

export type Shape = readonly number[];

/** Base (non-LoRA) tensors, name → shape. */
export function baseTensorShapes(c: ModelConfig): Map<string, Shape> {
  const m = new Map<string, Shape>();
  const v = c.vision;
  const V = "vision_encoder.visual.";
  m.set(`${V}conv1.weight`, [v.width, 3, v.patchSize, v.patchSize]);
  m.set(`${V}class_embedding`, [v.width]);
  m.set(`${V}positional_embedding`, [numPatches(v) + 1, v.width]);
  m.set(`${V}ln_pre.weight`, [v.width]);
  m.set(`${V}ln_pre.bias`, [v.width]);
  for (let i = 0; i < v.layers; i++) {
    const b = `${V}transformer.resblocks.${i}.`;
    m.set(`${b}ln_1.weight`, [v.width]);
    m.set(`${b}ln_1.bias`, [v.width]);
    m.set(`${b}attn.in_proj_weight`, [3 * v.width, v.width]);
    m.set(`${b}attn.in_proj_bias`, [3 * v.width]);
    m.set(`${b}attn.out_proj.weight`, [v.width, v.width]);
    m.set(`${b}attn.out_proj.bias`, [v.width]);
    m.set(`${b}ln_2.weight`, [v.width]);
    m.set(`${b}ln_2.bias`, [v.width]);
    m.set(`${b}mlp.c_fc.weight`, [v.mlpDim, v.width]);
    m.set(`${b}mlp.c_fc.bias`, [v.mlpDim]);
    m.set(`${b}mlp.c_proj.weight`, [v.width, v.mlpDim]);
    m.set(`${b}mlp.c_proj.bias`, [v.width]);
  }

  const p = c.perceiver;
  const inner = p.heads * p.dimHead;
  m.set("perceiver.latents", [p.numLatents, p.dim]);
  for (let l = 0; l < p.depth; l++) {
    const a = `perceiver.layers.${l}.0.`;
    m.set(`${a}norm_media.weight`, [p.dim]);
    m.set(`${a}norm_media.bias`, [p.dim]);
    m.set(`${a}norm_latents.weight`, [p.dim]);
    m.set(`${a}norm_latents.bias`, [p.dim]);
    m.set(`${a}to_q.weight`, [inner, p.dim]);
    m.set(`${a}to_kv.weight`, [2 * inner, p.dim]);
    m.set(`${a}to_out.weight`, [p.dim, inner]);
    const f = `perceiver.layers.${l}.1.`;
    m.set(`${f}0.weight`, [p.dim]);
    m.set(`${f}0.bias`, [p.dim]);
    m.set(`${f}1.weight`, [p.dim * p.ffMult, p.dim]);
    m.set(`${f}3.weight`, [p.dim, p.dim * p.ffMult]);
  }
  m.set("perceiver.norm.weight", [p.dim]);
  m.set("perceiver.norm.bias", [p.dim]);

  const L = c.language;
  const q = L.heads * L.headDim;
  const kv = L.kvHeads * L.headDim;
  m.set("model.embed_tokens.weight", [L.vocabSize, L.hidden]);
  for (let i = 0; i < L.layers; i++) {
    const b = `model.layers.${i}.`;
    m.set(`${b}self_attn.q_proj.weight`, [q, L.hidden]);
    m.set(`${b}self_attn.k_proj.weight`, [kv, L.hidden]);
    m.set(`${b}self_attn.v_proj.weight`, [kv, L.hidden]);
    m.set(`${b}self_attn.o_proj.weight`, [L.hidden, q]);
    m.set(`${b}mlp.gate_proj.weight`, [L.intermediate, L.hidden]);
    m.set(`${b}mlp.up_proj.weight`, [L.intermediate, L.hidden]);
    m.set(`${b}mlp.down_proj.weight`, [L.hidden, L.intermediate]);
    m.set(`${b}input_layernorm.weight`, [L.hidden]);
    m.set(`${b}post_attention_layernorm.weight`, [L.hidden]);
  }
  m.set("model.norm.weight", [L.hidden]);
  m.set("lm_head.weight", [L.vocabSize, L.hidden]);

  const x = c.crossAttention;
  const xi = x.heads * x.dimHead;
  for (const i of crossAttentionLayers(c)) {
    const b = `lang_encoder.gated_cross_attn_layers.${i}.`;
    m.set(`${b}attn_gate`, [1]);
    m.set(`${b}ff_gate`, [1]);
    m.set(`${b}attn.norm.weight`, [L.hidden]);
    m.set(`${b}attn.norm.bias`, [L.hidden]);
    m.set(`${b}attn.to_q.weight`, [xi, L.hidden]);
    m.set(`${b}attn.to_kv.weight`, [2 * xi, x.mediaDim]);
    m.set(`${b}attn.to_out.weight`, [L.hidden, xi]);
    m.set(`${b}ff.0.weight`, [L.hidden]);
    m.set(`${b}ff.0.bias`, [L.hidden]);
    m.set(`${b}ff.1.weight`, [L.hidden * x.ffMult, L.hidden]);
    m.set(`${b}ff.3.weight`, [L.hidden, L.hidden * x.ffMult]);
  }
  return m;
}

/** peft prefix of the language model inside MultiModal-GPT's LoRA checkpoint. */
export const LORA_PREFIX = "lang_encoder.base_model.model.model.layers.";

export interface LoraTarget {
  /** Base tensor the adapter is merged into. */
  base: string;
  a: string;
  b: string;
  /** [out, in] of the base weight. */
  out: number;
  in: number;
}

/** Every LoRA pair (A [r,in], B [out,r]) and the base weight it adapts. */
export function loraTargets(c: ModelConfig): LoraTarget[] {
  if (!c.lora) return [];
  const shapes = baseTensorShapes(c);
  const want = new Set(c.lora.targets);
  const out: LoraTarget[] = [];
  const add = (base: string, peftModule: string) => {
    const s = shapes.get(base);
    if (!s) throw new Error(`internal: no base tensor ${base}`);
    out.push({ base, a: `${peftModule}.lora_A.weight`, b: `${peftModule}.lora_B.weight`, out: s[0], in: s[1] });
  };
  const xLayers = new Set(crossAttentionLayers(c));
  for (let i = 0; i < c.language.layers; i++) {
    for (const proj of ["q_proj", "k_proj", "v_proj", "o_proj"]) {
      if (want.has(proj))
        add(`model.layers.${i}.self_attn.${proj}.weight`, `${LORA_PREFIX}${i}.decoder_layer.self_attn.${proj}`);
    }
    if (!xLayers.has(i)) continue;
    const g = `lang_encoder.gated_cross_attn_layers.${i}.`;
    const pg = `${LORA_PREFIX}${i}.gated_cross_attn_layer.`;
    for (const t of ["to_q", "to_kv", "to_out"]) {
      if (want.has(t)) add(`${g}attn.${t}.weight`, `${pg}attn.${t}`);
    }
    for (const t of ["ff.1", "ff.3"]) {
      if (want.has(t)) add(`${g}${t}.weight`, `${pg}${t}`);
    }
  }
  return out;
}

/** LoRA tensors, name → shape. */
export function loraTensorShapes(c: ModelConfig): Map<string, Shape> {
  const m = new Map<string, Shape>();
  if (!c.lora) return m;
  for (const t of loraTargets(c)) {
    m.set(t.a, [c.lora.r, t.in]);
    m.set(t.b, [t.out, c.lora.r]);
  }
  return m;
}
