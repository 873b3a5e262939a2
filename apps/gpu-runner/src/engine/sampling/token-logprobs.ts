// The log-probabilities logprobs report, taken from the row the token is chosen from after the
// logits processors (penalties, bias, banned ids) and before temperature, top-k and top-p, as
// OpenAI documents: the chosen token's and the most likely alternatives'. Only the normaliser
// and the top ids are computed, not a whole log-prob row (one exp pass over the vocab).
import { logNormalizer } from "./log-softmax.js";
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

/** A processed row kept for its logprobs: a copy (sampling may rewrite the row) and its normaliser. */
export class LogprobRow {
  private row = new Float32Array(0);
  private logZ = -Infinity;

  /** Keeps `processed` (reusing the copy's buffer between calls). */
  keep(processed: Float32Array): void {
    if (this.row.length !== processed.length) this.row = new Float32Array(processed.length);
    this.row.set(processed);
    this.logZ = logNormalizer(processed);
  }

  /** The chosen token's log-prob and the top `count` alternatives. */
  chosen(chosen: number, count: number): ChosenLogprobs {
    const { row, logZ } = this;
    const top: IdLogprob[] = [];
    if (count > 0) {
      // topKIds keeps tokens tied with the k-th (and the whole row, unordered, when count ≥ its
      // length): rank them and keep `count`.
      const ranked = Array.from(topKIds(row, count)).sort((a, b) => row[b] - row[a] || a - b);
      for (const id of ranked.slice(0, count)) if (row[id] > -Infinity) top.push({ id, logprob: row[id] - logZ });
    }
    return { logprob: row[chosen] - logZ, top };
  }
}
