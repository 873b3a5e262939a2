// Summaries every benchmark uses. This machine's speed drifts within a minute, so the benches
// take medians of alternating rounds rather than means.

/** The middle value (the upper one of an even count), as every figure in docs/benchmarks.md. */
export function median(xs: readonly number[]): number {
  return quantile(xs, 0.5);
}

/** The value at fraction q of the sorted values (0.9: the p90). */
export function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) throw new Error("quantile of no values");
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

export function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** The median of the rounds' ratios a[i] / b[i]: each round compares like with like. */
export function medianRatio(a: readonly number[], b: readonly number[]): number {
  return median(a.map((x, i) => x / b[i]));
}
