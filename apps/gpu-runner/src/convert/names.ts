// Maps the names of the released checkpoints onto the canonical names of weights/names.ts:
// HF LLaMA as-is, open_clip `visual.*` under `vision_encoder.`, OpenFlamingo's `lang_encoder.*`
// (including its aliased cross-attention keys) and peft LoRA keys (with `module.`/`.default`).
import { LORA_PREFIX } from "../weights/names.js";

export type Component = "llama" | "openflamingo" | "clip" | "lora";

export type Mapped =
  /** A canonical tensor; `alias` marks a second key OpenFlamingo stores for the same module. */
  | { kind: "tensor"; name: string; alias: boolean }
  /** Known to be unused by the model (e.g. CLIP's text tower): skipped, counted. */
  | { kind: "drop"; reason: string }
  | { kind: "unknown" };

const tensor = (name: string, alias = false): Mapped => ({ kind: "tensor", name, alias });
const drop = (reason: string): Mapped => ({ kind: "drop", reason });
const UNKNOWN: Mapped = { kind: "unknown" };

const CLIP_TEXT_TOWER =
  /^(transformer\.|token_embedding\.|positional_embedding$|ln_final\.|text_projection$|logit_scale$|attn_mask$)/;
const CLIP_UNUSED = /^visual\.(ln_post\.|proj$)/;
const ROPE_BUFFER = /\.rotary_emb\.inv_freq$/;
const LORA_KEY = /\.lora_[AB](\.default)?\.weight$/;

export function mapName(component: Component, raw: string): Mapped {
  const name = raw.startsWith("module.") ? raw.slice("module.".length) : raw;
  switch (component) {
    case "llama":
      return ROPE_BUFFER.test(name) ? drop("RoPE buffer (recomputed)") : tensor(name);
    case "clip":
      return clipName(name.startsWith("vision_encoder.") ? name.slice("vision_encoder.".length) : name);
    case "openflamingo":
      return flamingoName(name);
    case "lora":
      if (LORA_KEY.test(name)) return loraName(name.replace(/\.(lora_[AB])\.default\.weight$/, ".$1.weight"));
      // Non-adapter entries of a peft-wrapped model: trainable base weights saved with it.
      return flamingoName(name.replace(/^lang_encoder\.base_model\.model\./, "lang_encoder."));
  }
}

function clipName(name: string): Mapped {
  if (CLIP_UNUSED.test(name)) return drop("CLIP ln_post/proj (Flamingo uses the patch tokens before them)");
  if (CLIP_TEXT_TOWER.test(name)) return drop("CLIP text tower (unused)");
  return name.startsWith("visual.") ? tensor(`vision_encoder.${name}`) : UNKNOWN;
}

function flamingoName(name: string): Mapped {
  if (name.startsWith("perceiver.")) return tensor(name);
  if (name.startsWith("vision_encoder.")) return clipName(name.slice("vision_encoder.".length));
  if (name === "lang_encoder.lm_head.weight") return tensor("lm_head.weight");
  if (name.startsWith("lang_encoder.gated_cross_attn_layers.")) return tensor(name);
  let m = /^lang_encoder\.model\.layers\.(\d+)\.gated_cross_attn_layer\.(.+)$/.exec(name);
  if (m) return tensor(`lang_encoder.gated_cross_attn_layers.${m[1]}.${m[2]}`, true);
  m = /^lang_encoder\.model\.layers\.(\d+)\.decoder_layer\.(.+)$/.exec(name);
  if (m) return ROPE_BUFFER.test(name) ? drop("RoPE buffer (recomputed)") : tensor(`model.layers.${m[1]}.${m[2]}`);
  if (name.startsWith("lang_encoder.model.")) {
    return ROPE_BUFFER.test(name) ? drop("RoPE buffer (recomputed)") : tensor(name.slice("lang_encoder.".length));
  }
  return UNKNOWN;
}

/** peft names, canonical form `lang_encoder.base_model.model.model.layers.{i}.…`. */
function loraName(name: string): Mapped {
  if (name.startsWith(LORA_PREFIX)) return tensor(name);
  // The gated blocks are reachable twice (ModuleList and FlamingoLayer), so peft saves both.
  const m = /^lang_encoder\.base_model\.model\.gated_cross_attn_layers\.(\d+)\.(.+)$/.exec(name);
  if (m) return tensor(`${LORA_PREFIX}${m[1]}.gated_cross_attn_layer.${m[2]}`, true);
  return UNKNOWN;
}
