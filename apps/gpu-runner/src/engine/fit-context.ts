// Fits a conversation into the context before it is queued. The runner does this (not the
// edge) because only it knows each exchange's token length: the template and the tokenizer
// live here, and the preamble (system text) moves onto whichever exchange comes first.
//
//   truncation "disabled": prompt + max_tokens must fit, else context_length_exceeded.
//   truncation "auto":     1 drop the oldest whole exchange (user turn + its answer) while
//                            prompt + max_tokens does not fit and more than the last remains;
//                          2 clamp max_tokens to the room left after the prompt;
//                          3 fail only when the prompt alone leaves no room for one token.
// The system text is never dropped (it is not an exchange) and neither is the turn to answer.
import type { Turn } from "@mmgpt/schema/internal";
import type { RenderedPrompt } from "../prompt/index.js";
import { EngineError } from "./errors.js";

export interface FittedPrompt {
  rendered: RenderedPrompt;
  /** Exchanges left out of the prompt, oldest first. */
  droppedExchanges: number;
  /** The reply's limit: the request's, or less when clamped. */
  maxTokens: number;
}

export interface FitOptions {
  maxTokens: number;
  maxContext: number;
  truncation: "auto" | "disabled";
}

export function fitToContext(
  turns: readonly Turn[],
  render: (turns: readonly Turn[]) => RenderedPrompt,
  { maxTokens, maxContext, truncation }: FitOptions,
): FittedPrompt {
  let rendered = render(turns);
  const overflow = (r: RenderedPrompt, tokens: number) =>
    new EngineError(
      "context_length_exceeded",
      `prompt of ${r.ids.length} tokens + max_tokens ${tokens} exceeds the context of ${maxContext} tokens`,
    );
  if (rendered.ids.length + maxTokens <= maxContext) return { rendered, droppedExchanges: 0, maxTokens };
  if (truncation === "disabled") throw overflow(rendered, maxTokens);

  // Turns alternate user, assistant, …, user: exchange k is turns[2k] and turns[2k + 1].
  let dropped = 0;
  while (rendered.ids.length + maxTokens > maxContext && 2 * dropped + 1 < turns.length) {
    dropped++;
    rendered = render(turns.slice(2 * dropped));
  }
  const room = maxContext - rendered.ids.length;
  if (room < 1) throw overflow(rendered, maxTokens);
  return { rendered, droppedExchanges: dropped, maxTokens: Math.min(maxTokens, room) };
}
