// Which tokens the top-p nucleus keeps, given their weights (unnormalised probabilities):
// walking in rank order (value descending, ties by ascending id), a token is kept while the mass
// strictly above it is < target (= p · total), and the first one always.
import { idsAbove } from "./partial-select.js";

export interface Nucleus {
  /** The kept ids, in no particular order. */
  ids: Int32Array;
  /** exp(logit − max logit) of each kept id (the max is always kept). */
  weights: Float64Array;
}

/**
 * The top-p nucleus of a whole logits row, without sorting or exponentiating the whole vocab when
 * it can: only candidates within `margin` nats of the max are weighed, and selected by mass
 * (selectNucleus) rather than sorted. Every other token weighs < e^−margin (relative to the max),
 * so the total mass Z lies in [H, H + nTail·e^−margin], H being the candidates' mass. The nucleus
 * only grows with Z; when both ends of that interval give the same nucleus, inside the
 * candidates, it is the exact one. Otherwise the tail is summed exactly (one exp pass), and the
 * margin doubles only if the nucleus really reaches past the candidates. null: no finite logit.
 */
export function topPNucleus(logits: Float32Array, p: number): Nucleus | null {
  let max = -Infinity;
  let finite = 0;
  for (let i = 0; i < logits.length; i++) {
    const v = logits[i];
    if (!(v > -Infinity)) continue; // −∞ and NaN are never candidates
    finite++;
    if (v > max) max = v;
  }
  if (max === -Infinity || max === Infinity) return null;
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
      if (low === high && low < ids.length) return { ids: ids.subarray(0, low), weights: weights.subarray(0, low) };
      total = head + tailMass(logits, threshold, max);
    }
    // selectNucleus accepts the ids in any order, so the reordered arrays are reused.
    const kept = selectNucleus(ids, weights, logits, p * (tail === 0 ? head : total));
    if (kept < ids.length || tail === 0) return { ids: ids.subarray(0, kept), weights: weights.subarray(0, kept) };
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

/** The nucleus size over weights already in rank order. */
export function nucleusLength(weights: Float64Array, target: number): number {
  let above = 0;
  let kept = 0;
  while (kept < weights.length && (kept === 0 || above < target)) above += weights[kept++];
  return kept;
}

/**
 * The same answer without sorting: a quickselect on rank order that tracks the mass above each
 * pivot, expected O(n). Rearranges `ids` and the parallel `weights` so the kept tokens come first
 * (in no particular order) and returns how many they are. `values` ranks the ids; a larger value
 * must have a larger weight.
 */
export function selectNucleus(ids: Int32Array, weights: Float64Array, values: Float32Array, target: number): number {
  // [0, lo) are kept and rank before everything in [lo, hi); `above` is their mass.
  // [hi, n) rank after a token that is not kept, so are not kept either.
  let lo = 0;
  let hi = ids.length;
  let above = 0;
  while (lo < hi) {
    // Median-of-three pivot, moved to hi − 1; ids arrive in id order, so no fixed position is safe.
    const mid = lo + ((hi - lo) >> 1);
    if (ranksBefore(values, ids[mid], ids[lo])) swap(ids, weights, mid, lo);
    if (ranksBefore(values, ids[hi - 1], ids[lo])) swap(ids, weights, hi - 1, lo);
    if (ranksBefore(values, ids[mid], ids[hi - 1])) swap(ids, weights, mid, hi - 1);
    const pivot = ids[hi - 1];
    const pv = values[pivot];
    // Lomuto partition: [lo, store) rank before the pivot.
    let store = lo;
    let massBefore = 0;
    for (let i = lo; i < hi - 1; i++) {
      const id = ids[i];
      const v = values[id];
      if (v > pv || (v === pv && id < pivot)) {
        massBefore += weights[i];
        swap(ids, weights, i, store++);
      }
    }
    swap(ids, weights, store, hi - 1);
    const abovePivot = above + massBefore;
    if (store === 0 || abovePivot < target) {
      // The pivot is kept, hence everything ranked before it too.
      above = abovePivot + weights[store];
      lo = store + 1;
    } else {
      hi = store; // the pivot is dropped, hence everything ranked after it too
    }
  }
  return lo;
}

/** Rank order: larger value first, equal values by smaller id. */
function ranksBefore(values: Float32Array, a: number, b: number): boolean {
  return values[a] > values[b] || (values[a] === values[b] && a < b);
}

function swap(ids: Int32Array, weights: Float64Array, i: number, j: number): void {
  const id = ids[i];
  ids[i] = ids[j];
  ids[j] = id;
  const w = weights[i];
  weights[i] = weights[j];
  weights[j] = w;
}
