// How a reply ends: its finish_reason, the ids that end it, and the ids that never appear in
// it. One definition for the job (sampling), the beam search and the tests. Stop strings are
// matched on text (stop-strings.ts) and also finish with "stop".
import type { SpecialIds } from "../../tokenizer/types.js";

/** "stop": an end id or a stop string; "length": max_tokens reached. */
export type FinishReason = "stop" | "length";

/**
 * LLaMA's `</s>` and Flamingo's `<|endofchunk|>`. MultiModal-GPT was fine-tuned with `</s>` after
 * each answer, but OpenFlamingo's interleaved pre-training ends chunks with `<|endofchunk|>`,
 * which the model still emits at times; either ends the reply and is never part of its text.
 */
export function endIdsOf(special: Pick<SpecialIds, "eos" | "endOfChunk">): number[] {
  return [special.eos, special.endOfChunk];
}

/**
 * Ids MultiModal-GPT must never generate: `<image>` (only the prompt renderer places images) and
 * `<PAD>` (batch padding). The sampler and beam search mask them; the decoder graph's greedy
 * output excludes the same ids from the model config.
 */
export function bannedIdsOf(special: Pick<SpecialIds, "image" | "pad">): number[] {
  return [special.image, special.pad];
}
