// Renders a conversation into the model's input ids the way MultiModal-GPT was trained:
// each exchange tokenized on its own as BOS + turn text (+ answer + EOS), exchanges
// concatenated, so adding a turn never changes the ids of earlier ones (their KV cache stays valid).
import type { Tokenizer } from "../tokenizer/types.js";
import { PromptError } from "./prompt-error.js";
import { exchangeText, joinExchange, TEMPLATE, turnImages } from "./template.js";
import type { Conversation, ImagePosition, RenderedPrompt, RenderedTurn } from "./types.js";
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
const stripEnd = (s: string): string => s.replace(/\s+$/u, "");
const stripStart = (s: string): string => s.replace(/^\s+/u, "");

export interface RenderOptions {
  /** Every turn answered (a training example); otherwise the last user turn awaits its reply. */
  complete?: boolean;
  /**
   * Stop with PromptError "prompt_too_long" as soon as the ids pass this many: the rest of a
   * prompt that cannot fit is never tokenized.
   */
  maxIds?: number;
}

export function renderPrompt(
  tokenizer: Tokenizer,
  conversation: Conversation,
  { complete = false, maxIds = Number.POSITIVE_INFINITY }: RenderOptions = {},
): RenderedPrompt {
  validateConversation(conversation, { complete });
  const { bos, eos, image: imageId } = tokenizer.special;
  const { turns } = conversation;
  const rendered: RenderedTurn[] = [];
  const images: ImagePosition[] = [];
  const ids: number[] = [];
  const checkLength = (pending: number) => {
    if (ids.length + pending > maxIds) {
      throw new PromptError("prompt_too_long", `the prompt has more than ${maxIds} tokens`, "turns");
    }
  };

  for (let i = 0; i < turns.length; i += 2) {
    const user = turns[i];
    const answer = turns[i + 1]; // undefined for the last, unanswered exchange
    const exchange = exchangeText(user, i === 0 ? (conversation.system ?? TEMPLATE) : "");
    const turnIds = [bos];
    const pictures = turnImages(user);
    exchange.chunks.forEach((chunk, k) => {
      // A chunk loses the whitespace that touches an <image> on either side (see above).
      const before = k > 0 ? stripStart(chunk) : chunk;
      turnIds.push(...tokenizer.encode(k < pictures.length ? stripEnd(before) : before));
      checkLength(turnIds.length);
      if (k < pictures.length) {
        images.push({ index: ids.length + turnIds.length, image: pictures[k], turn: rendered.length });
        turnIds.push(imageId);
      }
    });
    const promptLength = turnIds.length;
    let text = joinExchange(exchange);
    if (answer) {
      turnIds.push(...tokenizer.encode(answer.text, { addDummyPrefix: false }), eos);
      checkLength(turnIds.length);
      text += answer.text;
    }
    rendered.push({ text, ids: turnIds, promptLength, answered: answer !== undefined });
    ids.push(...turnIds);
  }
  return { turns: rendered, ids, images, text: rendered.map((t) => t.text).join("") };
}
