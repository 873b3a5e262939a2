// Logits processors with Hugging Face semantics, each rewriting one sequence's vocab-sized row in
// place (a removed token becomes −∞, HF's filter_value). The sampler composes them in HF's order:
// repetition penalty → banned mask → temperature → top-k → top-p.
import { selectNucleus } from "./nucleus.js";
import { idsAbove, kthLargest } from "./partial-select.js";

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
 * p ≥ 1: no-op (HF does not install the warper).
 *
 * Without sorting or exponentiating the whole vocab when it can: only candidates within `margin`
 * nats of the max are weighed, and selected by mass (selectNucleus) rather than sorted. Every
 * other token weighs < e^−margin (relative to the max), so the total mass Z lies in
 * [H, H + nTail·e^−margin], H being the candidates' mass. The nucleus only grows with Z; when
 * both ends of that interval give the same nucleus, inside the candidates, it is the exact one.
 * Otherwise the tail is summed exactly (one exp pass), and the margin doubles only if the
 * nucleus really reaches past the candidates.
 */
export function applyTopP(logits: Float32Array, p: number): void {
  if (p >= 1) return;
  let max = -Infinity;
  let finite = 0;
  for (let i = 0; i < logits.length; i++) {
    const v = logits[i];
    if (!(v > -Infinity)) continue; // −∞ and NaN are never candidates
    finite++;
    if (v > max) max = v;
  }
  if (max === -Infinity || max === Infinity) return;
  let total = -1; // the exact mass, once it had to be computed
  for (let margin = 12; ; margin *= 2) {
    const threshold = max - margin;
    const ids = idsAbove(logits, threshold);
    const weights = new Float64Array(ids.length);
    let head = 0;
    for (let j = 0; j < ids.length; j++) head += weights[j] = Math.exp(logits[ids[j]] - max);
    const tail = ids.length === finite ? 0 : (finite - ids.length) * Math.exp(-margin);
    if (tail > 0 && total < 0) {
      const high = selectNucleus(new Int32Array(ids), new Float64Array(weights), logits, p * (head + tail));
      const low = selectNucleus(ids, weights, logits, p * head);
      if (low === high && low < ids.length) {
        keepOnly(logits, ids, low);
        return;
      }
      total = head + tailMass(logits, threshold, max);
    }
    // selectNucleus accepts the ids in any order, so the reordered arrays are reused.
    const kept = selectNucleus(ids, weights, logits, p * (tail === 0 ? head : total));
    if (kept < ids.length || tail === 0) {
      keepOnly(logits, ids, kept);
      return;
    }
  }
}

/** Σ exp(v − max) over the finite tokens below `threshold`. */
function tailMass(logits: Float32Array, threshold: number, max: number): number {
  let sum = 0;
  for (let i = 0; i < logits.length; i++) {
    const v = logits[i];
    if (v < threshold && v > -Infinity) sum += Math.exp(v - max);
  }
  return sum;
}

/** Sets every token to −∞ except the first `count` of `ids`. */
function keepOnly(logits: Float32Array, ids: Int32Array, count: number): void {
  const values = new Float32Array(count);
  for (let j = 0; j < count; j++) values[j] = logits[ids[j]];
  logits.fill(-Infinity);
  for (let j = 0; j < count; j++) logits[ids[j]] = values[j];
}
