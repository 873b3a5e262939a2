// Renders a conversation into the model's input ids the way MultiModal-GPT was trained:
// each exchange tokenized on its own as BOS + turn text (+ answer + EOS), exchanges
// concatenated, so adding a turn never changes the ids of earlier ones (their KV cache stays valid).
import type { Tokenizer } from "../tokenizer/types.js";
import { PromptTooLong } from "./prompt-error.js";
import { exchangeText, joinExchange, TEMPLATE, turnImages } from "./template.js";
import type { Conversation, ConversationTurn, ImagePosition, RenderedPrompt, RenderedTurn } from "./types.js";
import { validateConversation } from "./validate.js";

/*
 * Tokenizing around <image> — the one non-obvious choice here.
 *
 * MultiModal-GPT was trained, and its demo served, with transformers' slow LlamaTokenizer of
 * spring 2023 (4.28/4.29) after `add_special_tokens({"additional_special_tokens":
 * ["<|endofchunk|>", "<image>"]})`, i.e. with <image> added as a plain string. That
 * tokenizer's `tokenize()`
 *   1. splits the text at added tokens;
 *   2. strips whitespace on both sides of an added token given as a plain string ("We strip
 *      left and right by default"; only AddedToken objects could opt out), so
 *      "…### Image:\n<image>\n\n### Instruction:…" is tokenized as
 *      "…### Image:" <image> "### Instruction:…";
 *   3. runs `sp_model.encode` on each chunk, so every chunk gets SentencePiece's dummy prefix:
 *      the chunk after <image> starts "▁###" (835), not "▁" "\n" "\n" (29871 13 13).
 * We reproduce that, because these are the ids the fine-tuned weights saw. `text` keeps
 * MODEL.md's exact strings (with the "\n"s around <image>), so decode(ids) differs from `text`
 * there, by design. (transformers ≥ 4.34 stopped stripping; that is not what training used.)
 *
 * The answer: training tokenized `instruction + answer` as one string. Every turn text ends in
 * "\n", which LLaMA's vocab never merges with anything (newline exists only as the byte piece
 * <0x0A>), so that equals the turn's ids followed by the answer encoded without a dummy prefix.
 * Encoding it separately keeps an exchange's prompt ids a prefix of its answered ids.
 */
// trim*, not /\s+$/: the same whitespace, but linear (the regex took 241 ms on a 20k-space run
// inside a system text, quadratic in the run).
const stripEnd = (s: string): string => s.trimEnd();
const stripStart = (s: string): string => s.trimStart();

export interface RenderOptions {
  /** Every turn answered (a training example); otherwise the last user turn awaits its reply. */
  complete?: boolean;
  /**
   * Stop with PromptTooLong once the ids are certain to pass this many while text is left to
   * tokenize: the rest of a prompt that cannot fit is never tokenized. A prompt that passes it
   * only with its last piece is returned whole (its exact length is then known to the caller).
   */
  maxIds?: number;
}

export function renderPrompt(
  tokenizer: Tokenizer,
  conversation: Conversation,
  { complete = false, maxIds = Number.POSITIVE_INFINITY }: RenderOptions = {},
): RenderedPrompt {
  validateConversation(conversation, { complete });
  const { turns } = conversation;
  const exchanges: RenderedExchange[] = [];
  let length = 0;
  for (let i = 0; i < turns.length; i += 2) {
    const preamble = i === 0 ? (conversation.system ?? TEMPLATE) : "";
    // undefined answer: the last, unanswered exchange
    const exchange = renderExchange(tokenizer, turns[i], turns[i + 1], preamble, maxIds - length);
    length += exchange.turn.ids.length;
    if (length > maxIds && i + 2 < turns.length) throw new PromptTooLong(length, maxIds);
    exchanges.push(exchange);
  }
  return joinExchanges(exchanges);
}

/** One exchange rendered on its own, as the first (preamble = system text) or a later one (""). */
export interface RenderedExchange {
  turn: RenderedTurn;
  /** Where its images' <image> ids are in `turn.ids`. */
  images: Array<{ offset: number; image: unknown }>;
}

/**
 * BOS + the turn's chunks and images (+ answer + EOS). With `maxIds`, nothing is tokenized when
 * the characters alone prove the exchange longer (Tokenizer.minTokens), and tokenizing stops
 * once the ids pass it with pieces left (PromptTooLong either way).
 */
export function renderExchange(
  tokenizer: Tokenizer,
  user: ConversationTurn,
  answer: ConversationTurn | undefined,
  preamble: string,
  maxIds = Number.POSITIVE_INFINITY,
): RenderedExchange {
  const { bos, eos, image: imageId } = tokenizer.special;
  const exchange = exchangeText(user, preamble);
  const pictures = turnImages(user);
  // Each piece: text to encode, then the special id that follows it (an image, or the answer's EOS).
  const pieces = exchange.chunks.map((chunk, k) => {
    // A chunk loses the whitespace that touches an <image> on either side (see above).
    const before = k > 0 ? stripStart(chunk) : chunk;
    return { text: k < pictures.length ? stripEnd(before) : before, after: k < pictures.length ? imageId : undefined };
  });
  if (answer) pieces.push({ text: answer.text, after: eos });

  // least[k]: a lower bound on the ids of pieces k… from their characters (checked before each).
  const least = pieces.map((p) => tokenizer.minTokens(p.text) + (p.after === undefined ? 0 : 1));
  for (let k = least.length - 2; k >= 0; k--) least[k] += least[k + 1];
  const ids = [bos];
  const images: RenderedExchange["images"] = [];
  let promptLength = 0;
  pieces.forEach((piece, k) => {
    if (ids.length + least[k] > maxIds) throw new PromptTooLong(ids.length + least[k], maxIds);
    const isAnswer = k === exchange.chunks.length;
    if (isAnswer) promptLength = ids.length;
    ids.push(...tokenizer.encode(piece.text, isAnswer ? { addDummyPrefix: false } : undefined));
    if (piece.after === imageId) images.push({ offset: ids.length, image: pictures[k] });
    if (piece.after !== undefined) ids.push(piece.after);
    if (ids.length > maxIds && k + 1 < pieces.length) throw new PromptTooLong(ids.length, maxIds);
  });
  if (!answer) promptLength = ids.length;
  const text = joinExchange(exchange) + (answer ? answer.text : "");
  return { turn: { text, ids, promptLength, answered: answer !== undefined }, images };
}

/** Exchanges rendered in order, concatenated: the first must have been rendered with the preamble. */
export function joinExchanges(exchanges: readonly RenderedExchange[]): RenderedPrompt {
  const ids: number[] = [];
  const images: ImagePosition[] = [];
  exchanges.forEach(({ turn, images: own }, index) => {
    for (const { offset, image } of own) images.push({ index: ids.length + offset, image, turn: index });
    ids.push(...turn.ids);
  });
  const turns = exchanges.map((e) => e.turn);
  return { turns, ids, images, text: turns.map((t) => t.text).join("") };
}
