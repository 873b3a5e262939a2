// The one typed model config: every dimension the graphs, the weight loader and the
// reference forward pass need. Presets mirror the released MultiModal-GPT 9B model and a
// tiny model of the same architecture for tests (see ../shared/MODEL.md).

/** Which image a text token attends to in the gated cross-attention. */
export type MediaRule =
  /** OpenFlamingo v1 / MultiModal-GPT: text attends to the NEXT image, `<image>` to its own. */
  | "next-image"
  /** OpenFlamingo v2 (MPT): each token attends to the image preceding it. */
  | "previous-image";

export interface VisionConfig {
  /** Input resolution (square). */
  imageSize: number;
  patchSize: number;
  width: number;
  layers: number;
  heads: number;
  /** MLP hidden size (4 x width for ViT-L/14). */
  mlpDim: number;
  layerNormEps: number;
}

export interface PerceiverConfig {
  /** Token dim of media (= vision width). */
  dim: number;
  depth: number;
  heads: number;
  dimHead: number;
  numLatents: number;
  ffMult: number;
  layerNormEps: number;
}

export interface LanguageConfig {
  vocabSize: number;
  hidden: number;
  layers: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  intermediate: number;
  rmsNormEps: number;
  ropeTheta: number;
  maxPositions: number;
}

export interface CrossAttentionConfig {
  /** A gated block runs before decoder layer i when (i + 1) % every === 0. */
  every: number;
  heads: number;
  dimHead: number;
  ffMult: number;
  /** Dim of the media latents (= perceiver dim). */
  mediaDim: number;
  layerNormEps: number;
  mediaRule: MediaRule;
}

export interface LoraConfig {
  r: number;
  alpha: number;
  /** Module names adapted (peft target_modules). */
  targets: string[];
}

export interface SpecialTokens {
  bos: number;
  eos: number;
  endOfChunk: number;
  image: number;
  pad: number;
}

export interface ModelConfig {
  name: string;
  vision: VisionConfig;
  perceiver: PerceiverConfig;
  language: LanguageConfig;
  crossAttention: CrossAttentionConfig;
  /** null when the model carries no adapter. */
  lora: LoraConfig | null;
  tokens: SpecialTokens;
}

export const LLAMA_SPECIAL_TOKENS: SpecialTokens = {
  bos: 1,
  eos: 2,
  endOfChunk: 32000,
  image: 32001,
  pad: 32002,
};

export const MMGPT_LORA_TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "to_q", "to_kv", "to_out", "ff.1", "ff.3"];

/** Indices of the decoder layers preceded by a gated cross-attention block. */
export function crossAttentionLayers(config: ModelConfig): number[] {
  const out: number[] = [];
  for (let i = 0; i < config.language.layers; i++) {
    if ((i + 1) % config.crossAttention.every === 0) out.push(i);
  }
  return out;
}

export function numPatches(v: VisionConfig): number {
  return (v.imageSize / v.patchSize) ** 2;
}
