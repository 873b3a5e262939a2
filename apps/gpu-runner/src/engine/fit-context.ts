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
//
// A request may carry megabytes of text (the runner reads up to 8 MiB), and BPE over it would
// hold the engine thread, every other stream, for seconds. So nothing is tokenized that the
// answer does not need: "disabled" refuses from the characters alone (Tokenizer.minTokens) or
// stops tokenizing once the ids pass the budget; "auto" renders exchanges newest first and
// stops at the first that does not fit, so text that will be dropped is never tokenized.
import type { Turn } from "@mmgpt/schema/internal";
import {
  joinExchanges,
  PromptError,
  PromptTooLong,
  type RenderedExchange,
  type RenderedPrompt,
  renderExchange,
  renderPrompt,
  TEMPLATE,
  validateConversation,
} from "../prompt/index.js";
import { minimumPromptTokens } from "../prompt/token-bound.js";
import type { Tokenizer } from "../tokenizer/index.js";
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

export interface PromptRequest {
  system?: string;
  turns: readonly Turn[];
}

export function fitToContext(tokenizer: Tokenizer, request: PromptRequest, options: FitOptions): FittedPrompt {
  const conversation = { system: request.system, turns: [...request.turns] };
  const overflow = (prompt: string) =>
    new EngineError(
      "context_length_exceeded",
      `prompt of ${prompt} tokens + max_tokens ${options.maxTokens} exceeds the context of ${options.maxContext} tokens`,
    );
  try {
    validateConversation(conversation);
    return options.truncation === "auto" ? fitDropping(tokenizer, conversation, options, overflow) : fitWhole();
  } catch (error) {
    if (!(error instanceof PromptError)) throw error;
    // The request passed the protocol schema, so any other renderer objection is still the client's.
    if (error instanceof PromptTooLong) throw overflow(`at least ${error.tokens}`);
    throw new EngineError("invalid_request", error.message);
  }

  function fitWhole(): FittedPrompt {
    const budget = options.maxContext - options.maxTokens;
    const least = minimumPromptTokens(tokenizer, conversation);
    if (least > budget) throw overflow(`at least ${least}`);
    const rendered = renderPrompt(tokenizer, conversation, { maxIds: budget });
    if (rendered.ids.length > budget) throw overflow(String(rendered.ids.length));
    return { rendered, droppedExchanges: 0, maxTokens: options.maxTokens };
  }
}

/**
 * Truncation "auto", newest first. With P the preamble and E_j exchange j rendered as a later
 * one (no preamble), the prompt that keeps exchanges j… is (P + E_j) E_{j+1} … E_last:
 *
 *   last alone:  P + E_last must leave room for one token, else refuse (nothing else rendered);
 *                over the budget → it is the prompt, max_tokens clamped.
 *   j = last-1…: render P + E_j within the budget left after E_{j+1}…; the first j that does
 *                not fit ends the search (j and everything older are dropped, never tokenized
 *                beyond the point where they were certain not to fit); else render E_j to
 *                extend the tail and go on.
 */
function fitDropping(
  tokenizer: Tokenizer,
  { system, turns }: { system?: string; turns: Turn[] },
  { maxTokens, maxContext }: FitOptions,
  overflow: (prompt: string) => EngineError,
): FittedPrompt {
  const preamble = system ?? TEMPLATE;
  const budget = maxContext - maxTokens;
  const last = (turns.length - 1) / 2; // exchange j is turns[2j] (user) and turns[2j + 1] (answer)
  /** Exchange j, or when it passes `maxIds` how many ids it has ("at least" when tokenizing stopped). */
  const render = (j: number, pre: string, maxIds: number): RenderedExchange | string => {
    try {
      const exchange = renderExchange(tokenizer, turns[2 * j], turns[2 * j + 1], pre, maxIds);
      return exchange.turn.ids.length <= maxIds ? exchange : String(exchange.turn.ids.length);
    } catch (error) {
      if (error instanceof PromptTooLong) return `at least ${error.tokens}`;
      throw error;
    }
  };

  // The turn to answer and the system text, with room for one token, or nothing is.
  const alone = render(last, preamble, maxContext - 1);
  if (typeof alone === "string") throw overflow(alone);
  const fitted = (head: RenderedExchange, tail: RenderedExchange[]): FittedPrompt => {
    const rendered = joinExchanges([head, ...tail]);
    return {
      rendered,
      droppedExchanges: last - tail.length,
      maxTokens: Math.min(maxTokens, maxContext - rendered.ids.length),
    };
  };
  if (last === 0 || alone.turn.ids.length > budget) return fitted(alone, []);

  let head = alone;
  const tail: RenderedExchange[] = []; // E_{j+1} … E_last, as later exchanges
  let tailLength = 0;
  for (let j = last; j > 0; j--) {
    // E_j as a later exchange; an older head needs at least one id (its BOS) besides the tail.
    const later = render(j, "", budget - tailLength - 1);
    if (typeof later === "string") break;
    const older = render(j - 1, preamble, budget - tailLength - later.turn.ids.length);
    if (typeof older === "string") break;
    tail.unshift(later);
    tailLength += later.turn.ids.length;
    head = older;
  }
  return fitted(head, tail);
}
