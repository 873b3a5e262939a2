// Logits processors with Hugging Face semantics, each rewriting one sequence's vocab-sized row in
// place (a removed token becomes −∞, HF's filter_value). The sampler composes them in HF's order:
// repetition penalty → banned mask → temperature → top-k → top-p.
import { idsAtLeast, kthLargest } from "./partial-select.js";

/**
 * HF RepetitionPenaltyLogitsProcessor (CTRL): every id present in `history` (prompt and generated
 * tokens) gets logit < 0 ? logit·p : logit/p, so p > 1 always makes a seen token less likely.
 * Each id is penalised once however often it occurs: new values are computed from the values
 * gathered before any write (HF's gather → where → scatter), so a repeated id rewrites the same
 * value instead of compounding. Ids outside the row are ignored.
 */
export function applyRepetitionPenalty(logits: Float32Array, history: readonly number[], penalty: number): void {
  if (penalty === 1 || history.length === 0) return;
  const n = logits.length;
  const before = new Float32Array(history.length);
  for (let j = 0; j < history.length; j++) {
    const id = history[j];
    before[j] = id >= 0 && id < n ? logits[id] : 0;
  }
  for (let j = 0; j < history.length; j++) {
    const id = history[j];
    if (id < 0 || id >= n) continue;
    const v = before[j];
    logits[id] = v < 0 ? v * penalty : v / penalty;
  }
}

/** Tokens that must never be generated (e.g. `<image>`, `<PAD>`) get −∞. */
export function maskTokens(logits: Float32Array, banned: readonly number[]): void {
  for (const id of banned) if (id >= 0 && id < logits.length) logits[id] = -Infinity;
}

/**
 * HF TemperatureLogitsWarper: logits / t. t = 0 is greedy decoding, which the sampler handles
 * without coming here; dividing by 0 would turn the row into ±∞ and NaN.
 */
export function applyTemperature(logits: Float32Array, temperature: number): void {
  if (!(temperature > 0)) throw new RangeError(`temperature must be > 0 here (got ${temperature}); 0 means greedy`);
  if (temperature === 1) return;
  const inv = 1 / temperature;
  for (let i = 0; i < logits.length; i++) logits[i] *= inv;
}

/**
 * HF TopKLogitsWarper: removes every token whose logit is below the k-th largest. Tokens tied
 * with the k-th largest all stay (HF compares `scores < kth_value`), so the result is the same
 * whatever order ties arrive in and may keep more than k tokens. k ≤ 0 or k ≥ vocab: no-op.
 */
export function applyTopK(logits: Float32Array, k: number): void {
  if (k <= 0 || k >= logits.length) return;
  const kth = kthLargest(logits, k);
  for (let i = 0; i < logits.length; i++) if (logits[i] < kth) logits[i] = -Infinity;
}

/**
 * HF TopPLogitsWarper (nucleus): keeps the smallest set of most likely tokens whose probability
 * sums to ≥ p, and always the most likely one. HF sorts ascending and drops tokens whose
 * cumulative probability is ≤ 1 − p; equivalently, walking in descending order a token is kept
 * while the mass strictly above it is < p. Ties are walked by ascending id.
 *
 * Only the head of the distribution is sorted: candidates within `margin` of the max logit are
 * sorted and walked; if their mass is short of p the margin doubles. All non-candidates lie
 * below every candidate, so the walk over candidates is exactly the head of the full sort.
 * p ≥ 1: no-op (HF does not install the warper).
 */
export function applyTopP(logits: Float32Array, p: number): void {
  if (p >= 1) return;
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) if (logits[i] > max) max = logits[i];
  if (max === -Infinity || max === Infinity) return;
  let total = 0;
  let finite = 0;
  for (let i = 0; i < logits.length; i++) {
    if (!(logits[i] > -Infinity)) continue; // −∞ and NaN are never candidates
    total += Math.exp(logits[i] - max);
    finite++;
  }
  const target = p * total;
  for (let margin = 8; ; margin *= 2) {
    const threshold = max - margin;
    const ids = idsAtLeast(logits, threshold);
    const weights = Float64Array.from(ids, (id) => Math.exp(logits[id] - max));
    const kept = nucleusLength(weights, target);
    const above = weights.subarray(0, kept).reduce((a, b) => a + b, 0);
    // Done when the nucleus closed inside the candidates or every token is already a candidate
    // (the latter also absorbs rounding when p is within an ulp of 1).
    if (above >= target || kept < ids.length || ids.length === finite) {
      keepOnly(logits, ids, kept);
      return;
    }
  }
}

/**
 * How many of `weights` (unnormalised probabilities in descending order) the nucleus keeps: a
 * token is kept while the mass strictly above it is < `target` (= p · total mass); at least one.
 */
export function nucleusLength(weights: Float64Array, target: number): number {
  let above = 0;
  let kept = 0;
  while (kept < weights.length && (kept === 0 || above < target)) above += weights[kept++];
  return kept;
}

/** Sets every token to −∞ except the first `count` of `ids`. */
function keepOnly(logits: Float32Array, ids: Int32Array, count: number): void {
  const values = new Float32Array(count);
  for (let j = 0; j < count; j++) values[j] = logits[ids[j]];
  logits.fill(-Infinity);
  for (let j = 0; j < count; j++) logits[ids[j]] = values[j];
}
