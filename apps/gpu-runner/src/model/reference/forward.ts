// The whole language side, full-sequence and causal: embeddings, gated cross-attention blocks
// before every `every`-th decoder layer (only when the sequence holds an image), LLaMA decoder
// layers, final RMSNorm and lm_head. Returns logits for every position.
import { crossAttentionLayers, type ModelConfig } from "../config.js";
import { gatedCrossAttentionBlock } from "./cross-attention.js";
import { decoderLayer } from "./decoder-layer.js";
import { makeProject } from "./lora.js";
import { rmsNorm } from "./norms.js";
import { textTime } from "./text-time.js";
import { Params, type RefWeights } from "./weights.js";

export interface ReferenceForwardOptions {
  /** Apply the peft LoRA tensors unmerged: W·x + (alpha/r)·B·(A·x). Default false. */
  lora?: boolean;
}

function checkInputs(config: ModelConfig, ids: readonly number[], images: readonly Float64Array[]): void {
  const L = config.language;
  if (ids.length === 0) throw new Error("reference: empty sequence");
  if (ids.length > L.maxPositions) throw new Error(`reference: ${ids.length} tokens > maxPositions ${L.maxPositions}`);
  const bad = ids.find((id) => !Number.isInteger(id) || id < 0 || id >= L.vocabSize);
  if (bad !== undefined) throw new Error(`reference: token id ${bad} outside the vocabulary of ${L.vocabSize}`);
  const n = ids.filter((id) => id === config.tokens.image).length;
  if (images.length !== n) throw new Error(`reference: ${n} <image> tokens but ${images.length} images`);
  const size = config.perceiver.numLatents * config.crossAttention.mediaDim;
  images.forEach((m, i) => {
    if (m.length !== size) throw new Error(`reference: image ${i} has ${m.length} latent values, want ${size}`);
  });
}

/**
 * Logits [seq × vocab] for token ids, given each image's media latents [numLatents × mediaDim]
 * in the order of the `<image>` tokens (one per `<image>` token).
 */
export function referenceForward(
  config: ModelConfig,
  weights: RefWeights,
  ids: readonly number[],
  images: readonly Float64Array[],
  opts: ReferenceForwardOptions = {},
): Float64Array {
  checkInputs(config, ids, images);
  const { hidden, vocabSize, layers, rmsNormEps } = config.language;
  const params = new Params(config, weights);
  const project = makeProject(config, params, opts.lora ?? false);
  const seq = ids.length;

  const embed = params.get("model.embed_tokens.weight");
  const x = new Float64Array(seq * hidden);
  for (let t = 0; t < seq; t++) x.set(embed.subarray(ids[t] * hidden, (ids[t] + 1) * hidden), t * hidden);

  // Language-only sequences skip the gated blocks entirely (MultiModal-GPT condition_only_lang_x),
  // which makes them exactly plain LLaMA.
  const gated = new Set(images.length > 0 ? crossAttentionLayers(config) : []);
  const size = config.perceiver.numLatents * config.crossAttention.mediaDim;
  const media = new Float64Array(images.length * size);
  images.forEach((m, i) => {
    media.set(m, i * size);
  });
  const time = textTime(ids, config.tokens.image, config.crossAttention.mediaRule);

  for (let i = 0; i < layers; i++) {
    if (gated.has(i)) gatedCrossAttentionBlock(config, params, project, i, x, media, time);
    decoderLayer(config, params, project, i, x);
  }

  const h = rmsNorm(x, hidden, params.get("model.norm.weight"), rmsNormEps);
  const logits = project("lm_head.weight", h, seq);
  if (logits.length !== seq * vocabSize) throw new Error("internal: lm_head produced the wrong number of logits");
  return logits;
}
