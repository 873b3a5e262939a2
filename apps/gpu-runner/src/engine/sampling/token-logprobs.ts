// The log-probabilities logprobs report, taken from the row the token is chosen from after the
// logits processors (penalties, bias, banned ids) and before temperature, top-k and top-p, as
// OpenAI documents: the chosen token's and the most likely alternatives'.
import { logSoftmax } from "./log-softmax.js";
import { topKIds } from "./partial-select.js";

export interface IdLogprob {
  id: number;
  logprob: number;
}

export interface ChosenLogprobs {
  /** The chosen token's log-probability. */
  logprob: number;
  /** The `top` most likely tokens, most likely first (ties by id); impossible ones left out. */
  top: IdLogprob[];
}

/** Computes log-probs of a processed row into `scratch` (reused between calls; returns it). */
export function rowLogprobs(row: Float32Array, scratch: Float32Array): Float32Array {
  return logSoftmax(row, scratch.length === row.length ? scratch : new Float32Array(row.length));
}

/** The chosen token's log-prob and the top `count` alternatives of a log-prob row. */
export function chosenLogprobs(logprobs: Float32Array, chosen: number, count: number): ChosenLogprobs {
  const top: IdLogprob[] = [];
  if (count > 0) {
    // topKIds keeps tokens tied with the k-th (and the whole row, unordered, when count ≥ its
    // length): rank them and keep `count`.
    const ranked = Array.from(topKIds(logprobs, count)).sort((a, b) => logprobs[b] - logprobs[a] || a - b);
    for (const id of ranked.slice(0, count)) {
      const logprob = logprobs[id];
      if (Number.isFinite(logprob)) top.push({ id, logprob });
    }
  }
  return { logprob: logprobs[chosen], top };
}
