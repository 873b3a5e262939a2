// Partial selection over a vocab-sized logits row: the k-th largest value, the top-k ids, the ids
// above a threshold, the argmax. Sorting all 32003 logits costs milliseconds; these touch each
// logit once or twice and sort only the few survivors.

/**
 * Value of the k-th largest entry (1-based), found with a size-k min-heap in one pass.
 * NaN never enters the heap (every comparison with it is false). k ≥ length gives the minimum.
 */
export function kthLargest(values: Float32Array, k: number): number {
  const n = values.length;
  if (k < 1 || n === 0) throw new RangeError(`kthLargest needs 1 ≤ k and a non-empty row (k=${k}, n=${n})`);
  if (k >= n) {
    let min = Infinity;
    for (let i = 0; i < n; i++) if (values[i] < min) min = values[i];
    return min;
  }
  // heap[0] is the smallest of the k largest seen so far.
  const heap = values.slice(0, k);
  for (let i = (k >> 1) - 1; i >= 0; i--) siftDown(heap, i);
  let min = heap[0];
  for (let i = k; i < n; i++) {
    const v = values[i];
    if (v > min) {
      heap[0] = v;
      siftDown(heap, 0);
      min = heap[0];
    }
  }
  return min;
}

function siftDown(heap: Float32Array, at: number): void {
  const n = heap.length;
  const v = heap[at];
  let i = at;
  for (;;) {
    const l = 2 * i + 1;
    if (l >= n) break;
    const r = l + 1;
    const c = r < n && heap[r] < heap[l] ? r : l;
    if (!(heap[c] < v)) break;
    heap[i] = heap[c];
    i = c;
  }
  heap[i] = v;
}

/**
 * The ids HF top-k keeps, in rank order (value descending, ties by ascending id), in ONE pass:
 * a size-k min-heap of (value, id), plus every id that was evicted from the heap or skipped while
 * equal to its minimum. The heap minimum only grows, so any id tied with the final k-th value is
 * in the heap or in that list: all ties at the boundary are kept, as HF's `scores < kth` does.
 * −∞ and NaN are never returned.
 */
export function topKIds(values: Float32Array, k: number): Int32Array {
  const n = values.length;
  if (k < 1) throw new RangeError(`topKIds needs k ≥ 1 (got ${k})`);
  if (k >= n) return idsAtLeast(values, -Infinity);
  const heapV = new Float64Array(k);
  const heapI = new Int32Array(k);
  for (let i = 0; i < k; i++) {
    heapV[i] = values[i];
    heapI[i] = i;
  }
  for (let i = (k >> 1) - 1; i >= 0; i--) siftDownPair(heapV, heapI, i);
  const ties: number[] = [];
  let min = heapV[0]; // kept in a local: the hot loop is one load and one compare per token
  for (let i = k; i < n; i++) {
    const v = values[i];
    if (v > min) {
      ties.push(heapI[0]);
      heapV[0] = v;
      heapI[0] = i;
      siftDownPair(heapV, heapI, 0);
      min = heapV[0];
    } else if (v === min) {
      ties.push(i);
    }
  }
  const kth = min;
  const out: number[] = [];
  for (let j = 0; j < k; j++) if (heapV[j] > -Infinity) out.push(heapI[j]);
  for (const id of ties) if (values[id] === kth && kth > -Infinity) out.push(id);
  return Int32Array.from(out).sort((a, b) => values[b] - values[a] || a - b);
}

function siftDownPair(heapV: Float64Array, heapI: Int32Array, at: number): void {
  const n = heapV.length;
  const v = heapV[at];
  const id = heapI[at];
  let i = at;
  for (;;) {
    const l = 2 * i + 1;
    if (l >= n) break;
    const r = l + 1;
    const c = r < n && heapV[r] < heapV[l] ? r : l;
    if (!(heapV[c] < v)) break;
    heapV[i] = heapV[c];
    heapI[i] = heapI[c];
    i = c;
  }
  heapV[i] = v;
  heapI[i] = id;
}

/** Ids whose value is ≥ `threshold` and above −∞ (removed tokens never come back), in id order. */
export function idsAbove(values: Float32Array, threshold: number): Int32Array {
  // One pass into a vocab-sized buffer (a zeroed allocation is cheaper than a second pass).
  const ids = new Int32Array(values.length);
  let count = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v >= threshold && v !== -Infinity) ids[count++] = i;
  }
  return ids.subarray(0, count);
}

/** idsAbove in rank order: value descending, equal values by ascending id so ties always resolve alike. */
export function idsAtLeast(values: Float32Array, threshold: number): Int32Array {
  return idsAbove(values, threshold).sort((a, b) => values[b] - values[a] || a - b);
}

/**
 * Index of the largest value, the lowest id among equal maxima; −1 if nothing is above −∞.
 * Four lanes with a maximum each: the loop-carried compare chain of one running maximum was the
 * bottleneck (measured ~35 → ~22 µs for a 32003-wide row); it runs once per token per stream.
 */
export function argmax(values: Float32Array): number {
  const n = values.length;
  let m0 = -Infinity;
  let m1 = -Infinity;
  let m2 = -Infinity;
  let m3 = -Infinity;
  let i0 = -1;
  let i1 = -1;
  let i2 = -1;
  let i3 = -1;
  let i = 0;
  // Strict > keeps each lane's first occurrence; NaN never compares greater.
  for (; i + 3 < n; i += 4) {
    const a = values[i];
    const b = values[i + 1];
    const c = values[i + 2];
    const d = values[i + 3];
    if (a > m0) {
      m0 = a;
      i0 = i;
    }
    if (b > m1) {
      m1 = b;
      i1 = i + 1;
    }
    if (c > m2) {
      m2 = c;
      i2 = i + 2;
    }
    if (d > m3) {
      m3 = d;
      i3 = i + 3;
    }
  }
  for (; i < n; i++) {
    if (values[i] > m0) {
      m0 = values[i];
      i0 = i;
    }
  }
  // Merge the lanes: the larger value wins, equal values go to the lower id.
  let best = i0;
  let max = m0;
  const lanes: [number, number][] = [
    [m1, i1],
    [m2, i2],
    [m3, i3],
  ];
  for (const [m, at] of lanes) {
    if (at >= 0 && (m > max || (m === max && (best < 0 || at < best)))) {
      max = m;
      best = at;
    }
  }
  return best;
}
