// Named model configs. `openflamingo-9b-mmgpt` is the released model's exact shape;
// `mmgpt-tiny` is the same architecture shrunk so tests run it on CPU in milliseconds.
import { LLAMA_SPECIAL_TOKENS, MMGPT_LORA_TARGETS, type ModelConfig } from "./config.js";

export const OPENFLAMINGO_9B_MMGPT: ModelConfig = {
  name: "openflamingo-9b-mmgpt",
  vision: { imageSize: 224, patchSize: 14, width: 1024, layers: 24, heads: 16, mlpDim: 4096, layerNormEps: 1e-5 },
  perceiver: { dim: 1024, depth: 6, heads: 8, dimHead: 64, numLatents: 64, ffMult: 4, layerNormEps: 1e-5 },
  language: {
    vocabSize: 32003,
    hidden: 4096,
    layers: 32,
    heads: 32,
    kvHeads: 32,
    headDim: 128,
    intermediate: 11008,
    rmsNormEps: 1e-6,
    ropeTheta: 10000,
    maxPositions: 2048,
  },
  crossAttention: {
    every: 4,
    heads: 8,
    dimHead: 64,
    ffMult: 4,
    mediaDim: 1024,
    layerNormEps: 1e-5,
    mediaRule: "next-image",
  },
  lora: { r: 16, alpha: 16, targets: MMGPT_LORA_TARGETS },
  tokens: LLAMA_SPECIAL_TOKENS,
};

export const MMGPT_TINY: ModelConfig = {
  name: "mmgpt-tiny",
  vision: { imageSize: 224, patchSize: 32, width: 64, layers: 2, heads: 4, mlpDim: 256, layerNormEps: 1e-5 },
  perceiver: { dim: 64, depth: 2, heads: 2, dimHead: 16, numLatents: 8, ffMult: 4, layerNormEps: 1e-5 },
  language: {
    vocabSize: 32003,
    hidden: 64,
    layers: 4,
    heads: 4,
    kvHeads: 4,
    headDim: 16,
    intermediate: 176,
    rmsNormEps: 1e-6,
    ropeTheta: 10000,
    maxPositions: 2048,
  },
  crossAttention: {
    every: 2,
    heads: 2,
    dimHead: 16,
    ffMult: 4,
    mediaDim: 64,
    layerNormEps: 1e-5,
    mediaRule: "next-image",
  },
  // alpha != r on purpose: tests prove the alpha/r scale is applied.
  lora: { r: 4, alpha: 8, targets: MMGPT_LORA_TARGETS },
  tokens: LLAMA_SPECIAL_TOKENS,
};

export const PRESETS: Record<string, ModelConfig> = {
  [OPENFLAMINGO_9B_MMGPT.name]: OPENFLAMINGO_9B_MMGPT,
  [MMGPT_TINY.name]: MMGPT_TINY,
};
