// Logits processors with Hugging Face semantics, each rewriting one sequence's vocab-sized row in
// place (a removed token becomes −∞, HF's filter_value). HF's order is repetition penalty →
// banned mask → temperature → top-k → top-p; the sampler fuses the last three (tested equal).
import { topPNucleus } from "./nucleus.js";
import { kthLargest } from "./partial-select.js";

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
 * Constrained decoding: every id whose bit is clear in `allowed` (bit id%32 of word id/32) gets
 * −∞, like a banned token. Whole zero words (32 ids the grammar excludes) are filled at once.
 */
export function keepAllowed(logits: Float32Array, allowed: Int32Array): void {
  const n = logits.length;
  for (let w = 0; w * 32 < n; w++) {
    const bits = allowed[w] ?? 0;
    if (bits === -1) continue;
    const base = w * 32;
    if (bits === 0) {
      logits.fill(-Infinity, base, Math.min(base + 32, n));
      continue;
    }
    for (let b = 0; b < 32 && base + b < n; b++) if (((bits >>> b) & 1) === 0) logits[base + b] = -Infinity;
  }
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
 * The nucleus is found without sorting the vocab (see topPNucleus).
 */
export function applyTopP(logits: Float32Array, p: number): void {
  if (p >= 1) return;
  const nucleus = topPNucleus(logits, p);
  if (nucleus !== null) keepOnly(logits, nucleus.ids, nucleus.ids.length);
}

/** Sets every token to −∞ except the first `count` of `ids`. */
function keepOnly(logits: Float32Array, ids: Int32Array, count: number): void {
  const values = new Float32Array(count);
  for (let j = 0; j < count; j++) values[j] = logits[ids[j]];
  logits.fill(-Infinity);
  for (let j = 0; j < count; j++) logits[ids[j]] = values[j];
}
