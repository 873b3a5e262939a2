// Choosing tokens from logits: HF logits processors, the per-request sampler, and beam search.
export { BeamHypotheses, type Hypothesis } from "./beam-hypotheses.js";
export { type BeamChoice, type BeamResult, BeamSearch, type BeamSearchOptions, type BeamStep } from "./beam-search.js";
export { logSoftmax } from "./log-softmax.js";
export { applyRepetitionPenalty, applyTemperature, applyTopK, applyTopP, maskTokens } from "./logits-processors.js";
export { type Nucleus, nucleusLength, selectNucleus, topPNucleus } from "./nucleus.js";
export { argmax, idsAbove, idsAtLeast, kthLargest, topKIds } from "./partial-select.js";
export { bannedIdsOf, createSampler, draw, foldSeed, type Sampler, type SamplerParams, sampleTopK } from "./sampler.js";
