// A lower bound on a prompt's token count from its characters alone, so the engine can refuse a
// request far past the context before tokenizing anything: BPE over megabytes of text held the
// engine thread (every other stream) for seconds and could exhaust the runner's memory.
import type { Tokenizer } from "../tokenizer/index.js";
import type { Conversation } from "./types.js";

/** The system text and every turn's text are tokenized as they are, among other text. */
export function minimumPromptTokens(tokenizer: Tokenizer, conversation: Conversation): number {
  let tokens = conversation.system === undefined ? 0 : tokenizer.minTokens(conversation.system);
  for (const turn of conversation.turns) tokens += tokenizer.minTokens(turn.text);
  return tokens;
}
