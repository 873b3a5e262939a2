// A chosen token's logprobs in the protocol's shape (OpenAI's): each token as text, its
// log-probability and its UTF-8 bytes, for the token and each alternative.
import type { TokenLogprob, TopLogprob } from "@mmgpt/schema/internal";
import type { Tokenizer } from "../tokenizer/index.js";
import type { ChosenLogprobs } from "./sampling/token-logprobs.js";

const strict = new TextDecoder("utf-8", { fatal: true });

/**
 * A token's bytes as text; a byte-fallback token holding part of a character (not valid UTF-8
 * on its own) is written as `\xNN` escapes, its `bytes` giving the real value.
 */
export function tokenText(bytes: Uint8Array): string {
  try {
    return strict.decode(bytes);
  } catch {
    return Array.from(bytes, (b) => `\\x${b.toString(16).padStart(2, "0")}`).join("");
  }
}

function entry(tokenizer: Tokenizer, id: number, logprob: number): TopLogprob {
  const bytes = tokenizer.tokenBytes(id);
  return { token: tokenText(bytes), logprob, bytes: Array.from(bytes) };
}

export function logprobEntry(tokenizer: Tokenizer, chosen: number, lp: ChosenLogprobs): TokenLogprob {
  return {
    ...entry(tokenizer, chosen, lp.logprob),
    top_logprobs: lp.top.map((t) => entry(tokenizer, t.id, t.logprob)),
  };
}
