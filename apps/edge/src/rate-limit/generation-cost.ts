// What a generation costs against its account's token bucket, known before it runs (the way
// OpenAI counts tokens per minute): its prompt, estimated from text length, plus everything it
// may generate — max_tokens for each choice or beam, since each is a row of the runner's batch.
// The prompt part is capped at one context: no prompt a runner runs is longer (truncation "auto"
// drops the oldest exchanges to fit, "disabled" refuses), so a long stored conversation costs a
// context a turn, not its whole history (which would pass the bucket's size on every turn).
import type { GenerateRequest } from "@mmgpt/schema/internal";

/** Characters per token of the estimate (LLaMA's tokenizer averages about 4 on English text). */
export const CHARS_PER_TOKEN = 4;
/** Tokens charged per image: the perceiver's latents each image adds to cross-attention. */
export const IMAGE_TOKENS = 64;
/** The longest prompt charged: MultiModal-GPT's context (LLaMA-7B's 2,048 positions). */
export const PROMPT_TOKENS_CAP = 2048;

export function generationCost(request: GenerateRequest): number {
  let chars = request.system?.length ?? 0;
  let images = 0;
  for (const turn of request.turns) {
    chars += turn.text.length;
    images += turn.images?.length ?? 0;
  }
  const rows = Math.max(request.params.n ?? 1, request.params.num_beams);
  const prompt = Math.min(Math.ceil(chars / CHARS_PER_TOKEN) + images * IMAGE_TOKENS, PROMPT_TOKENS_CAP);
  return prompt + request.params.max_tokens * rows;
}
