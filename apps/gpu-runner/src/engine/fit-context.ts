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
 * one (no preamble), the prompt that keeps exchanges s… is (P + E_s) E_(s+1) … E_last:
 *
 *   last alone:  P + E_last must leave room for one token, else refuse (nothing else rendered);
 *                over the budget → it is the prompt, max_tokens clamped.
 *   1 estimate:  E_last, E_(last-1), … as later exchanges while they fit with what P costs on
 *                the newest ((P + E_last) − E_last); the first that does not fit ends it, and
 *                nothing older is tokenized. P is tokenized with just two or three exchanges,
 *                not with each kept one (a 721-token system text over 34 kept exchanges took
 *                180 ms rendered with each).
 *   2 exact:     P + E_s must fit with E_(s+1)… (else keep one exchange fewer, and so on); then
 *                P + E_(s-1) is tried, and kept while it fits. With the template's fixed
 *                opening after P ("\n\n### …") the estimate is exact and step 2 renders the
 *                head twice.
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
  const later = new Map<number, RenderedExchange>(); // E_j, each rendered once
  const asLater = (j: number, maxIds: number): RenderedExchange | undefined => {
    const known = later.get(j);
    if (known) return known.turn.ids.length <= maxIds ? known : undefined;
    const exchange = render(j, "", maxIds);
    if (typeof exchange === "string") return undefined;
    later.set(j, exchange);
    return exchange;
  };
  const length = (e: RenderedExchange) => e.turn.ids.length;
  const fitted = (head: RenderedExchange, start: number): FittedPrompt => {
    const tail = Array.from({ length: last - start }, (_, k) => later.get(start + 1 + k) as RenderedExchange);
    const rendered = joinExchanges([head, ...tail]);
    return {
      rendered,
      droppedExchanges: start,
      maxTokens: Math.min(maxTokens, maxContext - rendered.ids.length),
    };
  };

  // The turn to answer and the system text, with room for one token, or nothing is.
  const alone = render(last, preamble, maxContext - 1);
  if (typeof alone === "string") throw overflow(alone);
  const newest = last > 0 && length(alone) <= budget ? asLater(last, budget - 1) : undefined;
  if (!newest) return fitted(alone, last);

  // 1 Estimate. `rest`: the ids of E_(start+1) … E_last.
  const cost = length(alone) - length(newest);
  let start = last;
  let rest = 0;
  for (let e: RenderedExchange | undefined = newest; start > 0; start--) {
    const older = asLater(start - 1, budget - rest - length(e) - 1);
    if (!older || rest + length(e) + length(older) + cost > budget) break;
    rest += length(e);
    e = older;
  }
  // 2 Exact: keep fewer until P + E_start fits, then more while P + E_(start-1) does.
  let head = start === last ? alone : render(start, preamble, budget - rest);
  while (typeof head === "string") {
    start++;
    rest -= length(later.get(start) as RenderedExchange);
    head = start === last ? alone : render(start, preamble, budget - rest);
  }
  while (start > 0) {
    const e = asLater(start, budget - rest - 1);
    const older = e && render(start - 1, preamble, budget - rest - length(e));
    if (!e || !older || typeof older === "string") break;
    rest += length(e);
    start--;
    head = older;
  }
  return fitted(head, start);
}
