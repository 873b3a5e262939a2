// MultiModal-GPT's prompt template, character for character as MODEL.md ("Prompt format")
// states it, and how one exchange's text is laid out around its optional image.
import type { ConversationTurn } from "./types.js";

export const TEMPLATE =
  "Below is an instruction that describes a task. Write a response that appropriately completes the request.";
/** Where the image goes in `text`; in ids it is the <image> special id, never tokenized text. */
export const IMAGE_PLACEHOLDER = "<image>";
/** The reply is the text after the last occurrence of this marker. */
export const RESPONSE_MARKER = "### Response:";

/**
 * One exchange's prompt text, split at the image: `head` + <image> + `body`, or just `body`
 * when the turn has no image. `preamble` is the TEMPLATE (or system text) on the first
 * exchange and "" afterwards.
 */
export interface ExchangeText {
  head?: string;
  body: string;
}

export function exchangeText(user: ConversationTurn, preamble: string): ExchangeText {
  const input = user.options && user.options.length > 0 ? `\n\n### Input:\n${user.options.join(", ")}` : "";
  const instruction = `\n\n### Instruction:\n${user.text}${input}\n\n### Response:\n`;
  if (user.image === undefined || user.image === null) return { body: preamble + instruction };
  return { head: `${preamble}\n\n### Image:\n`, body: instruction };
}

export function joinExchange({ head, body }: ExchangeText): string {
  return head === undefined ? body : head + IMAGE_PLACEHOLDER + body;
}
