// MultiModal-GPT's prompt template, character for character as MODEL.md ("Prompt format")
// states it, and how one exchange's text is laid out around its optional image.
import type { ConversationTurn } from "./types.js";

export const TEMPLATE =
  "Below is an instruction that describes a task. Write a response that appropriately completes the request.";
/** Where the image goes in `text`; in ids it is the <image> special id, never tokenized text. */
export const IMAGE_PLACEHOLDER = "<image>";
/** The reply is the text after the last occurrence of this marker. */
export const RESPONSE_MARKER = "### Response:";

/** The block that introduces each image of a turn. */
export const IMAGE_HEADER = "\n\n### Image:\n";

/**
 * One exchange's prompt text as the chunks between its images: `chunks[k]` precedes image k,
 * the last chunk follows the last image (one chunk when the turn has no image). Several images
 * each get their own `### Image:` block, in order, all before the instruction (MODEL.md,
 * "Several images in one message"). `preamble` is the TEMPLATE (or system text) on the first
 * exchange and "" afterwards.
 */
export interface ExchangeText {
  chunks: string[];
}

export function exchangeText(user: ConversationTurn, preamble: string): ExchangeText {
  const input = user.options && user.options.length > 0 ? `\n\n### Input:\n${user.options.join(", ")}` : "";
  const instruction = `\n\n### Instruction:\n${user.text}${input}\n\n### Response:\n`;
  const n = turnImages(user).length;
  if (n === 0) return { chunks: [preamble + instruction] };
  return { chunks: [preamble + IMAGE_HEADER, ...Array<string>(n - 1).fill(IMAGE_HEADER), instruction] };
}

export function joinExchange({ chunks }: ExchangeText): string {
  return chunks.join(IMAGE_PLACEHOLDER);
}

/** A user turn's images in order: `images`, or the single `image`, or none. */
export function turnImages(turn: ConversationTurn): unknown[] {
  if (turn.images !== undefined) return turn.images;
  return turn.image === undefined || turn.image === null ? [] : [turn.image];
}
