// Configs used by benchmarks: a mid-size LLaMA shaped like the llama.cpp comparison
// (hidden 1024, 8 layers, 16/4 heads, FFN 2816) with a small vision tower, since the
// decoder is what the benchmarks measure.
import type { ModelConfig } from "./config.js";
import { MMGPT_TINY } from "./presets.js";

export const MMGPT_MID: ModelConfig = {
  ...MMGPT_TINY,
  name: "mmgpt-mid",
  perceiver: { ...MMGPT_TINY.perceiver, numLatents: 64 },
  language: {
    ...MMGPT_TINY.language,
    hidden: 1024,
    layers: 8,
    heads: 16,
    kvHeads: 4,
    headDim: 64,
    intermediate: 2816,
  },
  crossAttention: { ...MMGPT_TINY.crossAttention, every: 4, heads: 8, dimHead: 64 },
  lora: { ...MMGPT_TINY.lora!, r: 16, alpha: 16 },
};

/**
 * The same LLaMA without gated cross-attention blocks: exactly the shape of the llama.cpp
 * peer's model, for a like-for-like decode comparison.
 */
export const MMGPT_MID_LLAMA: ModelConfig = {
  ...MMGPT_MID,
  name: "mmgpt-mid-llama",
  crossAttention: { ...MMGPT_MID.crossAttention, every: MMGPT_MID.language.layers + 1 },
};
