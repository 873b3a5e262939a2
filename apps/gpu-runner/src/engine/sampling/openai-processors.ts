// OpenAI's logits adjustments, each rewriting one sequence's row in place, as OpenAI's docs
// define them: `logit_bias` is added to a token's logit, and the presence/frequency penalties
// subtract c[j]·frequency + (c[j] > 0)·presence, c[j] being how often token j was generated so
// far in this choice (the prompt does not count). Both are additive, so their order is moot.

/** How often each token has been generated so far (only kept when a penalty is on). */
export class TokenCounts {
  private readonly counts = new Map<number, number>();

  add(id: number): void {
    this.counts.set(id, (this.counts.get(id) ?? 0) + 1);
  }

  entries(): IterableIterator<[number, number]> {
    return this.counts.entries();
  }
}

/** Subtracts each generated token's penalty; tokens never generated are untouched. */
export function applyPresenceFrequency(
  logits: Float32Array,
  counts: TokenCounts,
  presence: number,
  frequency: number,
): void {
  for (const [id, count] of counts.entries()) {
    if (id >= 0 && id < logits.length) logits[id] -= count * frequency + presence;
  }
}

/** Adds each bias to its token's logit (ids outside the row are refused before this runs). */
export function applyLogitBias(logits: Float32Array, bias: ReadonlyMap<number, number>): void {
  for (const [id, b] of bias) if (id >= 0 && id < logits.length) logits[id] += b;
}
