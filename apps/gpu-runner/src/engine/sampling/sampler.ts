// One request's token chooser: greedy argmax, or seeded sampling from the distribution left by the
// logits processors. Same seed and same logits sequence → same tokens, on every platform
// (mulberry32 is pure 32-bit integer math).
import { mulberry32 } from "../../weights/prng.js";
import { logSoftmax } from "./log-softmax.js";
import { applyRepetitionPenalty, applyTemperature, keepAllowed, maskTokens } from "./logits-processors.js";
import { nucleusLength, topPNucleus } from "./nucleus.js";
import { applyLogitBias, applyPresenceFrequency, TokenCounts } from "./openai-processors.js";
import { argmax, topKIds } from "./partial-select.js";
import { type ChosenLogprobs, LogprobRow } from "./token-logprobs.js";
import { allows } from "./token-mask.js";

export interface SamplerParams {
  /** 0 = greedy. Otherwise logits are divided by it before top-k/top-p. */
  temperature: number;
  /** Keep the k most likely tokens (ties with the k-th kept); 0 = off. */
  top_k: number;
  /** Nucleus mass in [0, 1]; 1 = off. */
  top_p: number;
  /** HF/CTRL penalty over prompt + generated ids; 1 = off. Applies to greedy decoding too. */
  repetition_penalty: number;
  /** Any non-negative integer ≤ 2^53 − 1; omitted → a random seed from crypto. */
  seed?: number;
  /** Ids never generated (stop/finish.ts: `<image>` and `<PAD>`). */
  banned: readonly number[];
  /** HF's do_sample; false → greedy whatever the temperature. Default true. */
  do_sample?: boolean;
  /** OpenAI penalties in [−2, 2] over this sampler's own earlier tokens; omitted = 0. */
  presence_penalty?: number;
  frequency_penalty?: number;
  /** OpenAI logit_bias: id → value added to its logit. */
  logit_bias?: ReadonlyMap<number, number>;
  /** Report log-probs: the chosen token's and this many alternatives (0–20); omitted = off. */
  top_logprobs?: number;
}

export interface Sampler {
  /** True when tokens are chosen by argmax (temperature 0 or do_sample false). */
  readonly greedy: boolean;
  /** Greedy with nothing to apply or report: the raw row's argmax is the token (banned ids aside). */
  readonly argmaxOnly: boolean;
  /** With top_logprobs: the last chosen token's log-probs (null before the first). */
  readonly logprobs: ChosenLogprobs | null;
  /** The 32-bit PRNG seed in use; log it to reproduce a request that came without a seed. */
  readonly seed: number;
  /**
   * Chooses the next token from one sequence's logits. `history` is every id the model has seen
   * in this sequence (prompt + generated), for the repetition penalty. `allowed` (constrained
   * decoding) is a bitmask of the ids that may come next: every other id is removed with the
   * banned ones, so logprobs, temperature and top-k/top-p see allowed tokens only.
   * `logits` is not modified.
   */
  next(logits: Float32Array, history: readonly number[], allowed?: Int32Array): number;
  /** Plain log-softmax of a logits row (no processors applied), for beam search and scoring. */
  logProbs(logits: Float32Array): Float32Array;
}

export function createSampler(params: SamplerParams): Sampler {
  const { temperature, top_k, top_p, repetition_penalty, banned, logit_bias, top_logprobs } = params;
  const presence = params.presence_penalty ?? 0;
  const frequency = params.frequency_penalty ?? 0;
  if (!(temperature >= 0) || !Number.isFinite(temperature))
    throw new RangeError(`temperature must be ≥ 0 (got ${temperature})`);
  if (!Number.isInteger(top_k) || top_k < 0) throw new RangeError(`top_k must be an integer ≥ 0 (got ${top_k})`);
  if (!(top_p >= 0 && top_p <= 1)) throw new RangeError(`top_p must be in [0, 1] (got ${top_p})`);
  if (!(repetition_penalty > 0) || !Number.isFinite(repetition_penalty))
    throw new RangeError(`repetition_penalty must be > 0 (got ${repetition_penalty})`);
  if (!(Math.abs(presence) <= 2 && Math.abs(frequency) <= 2))
    throw new RangeError(`presence_penalty and frequency_penalty must be in [-2, 2]`);

  // Counted only when a penalty reads them.
  const counts = presence !== 0 || frequency !== 0 ? new TokenCounts() : null;
  const bias = logit_bias?.size ? logit_bias : null;
  const reporting = top_logprobs !== undefined;
  const greedy = temperature === 0 || params.do_sample === false;
  const seed = params.seed === undefined ? randomSeed() : foldSeed(params.seed);
  const uniform = mulberry32(seed);
  // One scratch row per sampler: the engine's logits stay untouched and no step allocates 128 KB.
  let row = new Float32Array(0);
  const logprobRow = new LogprobRow();
  const argmaxOnly = greedy && repetition_penalty === 1 && !counts && !bias && !reporting;

  const choose = (logits: Float32Array, history: readonly number[], allowed?: Int32Array): number => {
    // Plain greedy: the row's argmax unless it is banned or not allowed (then the full path
    // masks it), so a grammar costs greedy decoding one bit test when the model agrees with it.
    if (argmaxOnly) {
      const best = argmax(logits);
      if (best >= 0 && !banned.includes(best) && (!allowed || allows(allowed, best))) return best;
    }
    if (row.length !== logits.length) row = new Float32Array(logits.length);
    row.set(logits);
    // Processors (repetition penalty, OpenAI's penalties and bias, banned ids), then warpers for
    // sampling only; logprobs are read in between.
    applyRepetitionPenalty(row, history, repetition_penalty);
    if (counts) applyPresenceFrequency(row, counts, presence, frequency);
    if (bias) applyLogitBias(row, bias);
    maskTokens(row, banned);
    if (allowed) keepAllowed(row, allowed);
    if (reporting) logprobRow.keep(row);
    return pick(row);
  };

  const pick = (row: Float32Array): number => {
    if (greedy) return orThrow(argmax(row));
    if (top_k > 0 && top_k < row.length) return orThrow(sampleTopK(row, top_k, temperature, top_p, uniform()));
    // top-k off (or ≥ vocab): the whole row takes part.
    applyTemperature(row, temperature);
    if (top_p >= 1) return orThrow(draw(row, uniform()));
    const nucleus = topPNucleus(row, top_p);
    return nucleus === null ? orThrow(-1) : drawAmong(nucleus.ids, nucleus.weights, nucleus.ids.length, uniform());
  };

  const sampler = {
    greedy,
    argmaxOnly,
    seed,
    logprobs: null as ChosenLogprobs | null,
    next(logits: Float32Array, history: readonly number[], allowed?: Int32Array): number {
      const token = choose(logits, history, allowed);
      counts?.add(token);
      if (reporting) sampler.logprobs = logprobRow.chosen(token, top_logprobs ?? 0);
      return token;
    },
    logProbs: (logits: Float32Array) => logSoftmax(logits),
  };
  return sampler;
}

/**
 * temperature → top-k → top-p → draw, fused, for top_k > 0: after top-k only k tokens (plus
 * boundary ties) are finite, so temperature, the nucleus and the draw run on those alone instead
 * of on the 32003-wide row. One heap pass over the row is the only vocab-sized work. Chooses the
 * same token as the composed processors + `draw` for the same `u` (tested).
 */
export function sampleTopK(row: Float32Array, k: number, temperature: number, topP: number, u: number): number {
  if (!(temperature > 0)) throw new RangeError(`temperature must be > 0 (got ${temperature}); 0 means greedy`);
  const ids = topKIds(row, k); // rank order: value descending, ties by id
  if (ids.length === 0) return -1;
  const inv = 1 / temperature;
  // Math.fround: the same float32 values applyTemperature would store in the row.
  const scaled = (id: number) => (temperature === 1 ? row[id] : Math.fround(row[id] * inv));
  const max = scaled(ids[0]);
  const weights = new Float64Array(ids.length);
  let total = 0;
  for (let j = 0; j < ids.length; j++) total += weights[j] = Math.exp(scaled(ids[j]) - max);
  const kept = topP < 1 ? nucleusLength(weights, topP * total) : ids.length;
  return drawAmong(ids, weights, kept, u);
}

/**
 * `draw` restricted to the first `count` of `ids` (weights parallel to them, relative to the
 * row's max): walks them in ascending id order, as `draw` walks the row, so both choose the same
 * token for the same u.
 */
function drawAmong(ids: Int32Array, weights: Float64Array, count: number, u: number): number {
  const order = new Int32Array(count);
  for (let j = 0; j < count; j++) order[j] = j;
  order.sort((a, b) => ids[a] - ids[b]);
  let mass = 0;
  for (const j of order) mass += weights[j];
  const target = u * mass;
  let acc = 0;
  for (const j of order) {
    acc += weights[j];
    if (acc > target) return ids[j];
  }
  return ids[order[count - 1]];
}

/**
 * Inverse-CDF draw: walks ids in ascending order until the cumulative unnormalised mass passes
 * u·Z. Only tokens left finite by the processors have mass. Returns −1 if none is left.
 */
export function draw(row: Float32Array, u: number): number {
  let max = -Infinity;
  for (let i = 0; i < row.length; i++) if (row[i] > max) max = row[i];
  if (max === -Infinity) return -1;
  if (max === Infinity) return row.indexOf(Infinity);
  let total = 0;
  for (let i = 0; i < row.length; i++) if (row[i] > -Infinity) total += Math.exp(row[i] - max);
  const target = u * total;
  let acc = 0;
  let last = -1;
  for (let i = 0; i < row.length; i++) {
    if (!(row[i] > -Infinity)) continue; // −∞ (removed) and NaN have no mass
    acc += Math.exp(row[i] - max);
    last = i;
    if (acc > target) return i;
  }
  return last; // rounding left target ≥ the summed mass: the last possible token
}

/** Seeds above 2^32 keep their high bits (the API allows up to 2^53 − 1) via a golden-ratio mix. */
export function foldSeed(seed: number): number {
  if (!Number.isSafeInteger(seed) || seed < 0)
    throw new RangeError(`seed must be an integer in [0, 2^53) (got ${seed})`);
  const high = Math.floor(seed / 2 ** 32);
  return ((seed % 2 ** 32) ^ Math.imul(high, 0x9e3779b1)) >>> 0;
}

/**
 * The seed of choice `index` of a request seeded with `seed`: choice 0 keeps it (so n = 1 and the
 * first of n choices agree), the others get distinct streams derived from it.
 */
export function choiceSeed(seed: number, index: number): number {
  if (index === 0) return seed;
  return (foldSeed(seed) ^ Math.imul(index, 0x85ebca6b)) >>> 0;
}

function randomSeed(): number {
  return crypto.getRandomValues(new Uint32Array(1))[0];
}

function orThrow(id: number): number {
  // Every token banned or −∞/NaN: a model or request bug, never a token to hand back.
  if (id < 0) throw new Error("no token can be generated: every logit is -Infinity or NaN after processing");
  return id;
}
