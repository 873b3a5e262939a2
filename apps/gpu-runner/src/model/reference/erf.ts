// erf/erfc in float64 to ~1e-16, for the exact (erf) GELU of the perceiver and the gated FF.
// Polynomial fits such as Abramowitz–Stegun 7.1.26 (1.5e-7) are far too coarse to judge a
// float32 graph against, so this uses a positive-term series plus erfc's continued fraction.

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);
const INV_SQRT_PI = 1 / Math.sqrt(Math.PI);
/** Below this |x| the series is used; above it the continued fraction converges quickly. */
const SERIES_LIMIT = 2.5;

/**
 * erf(x) = 2/√π · e^{-x²} · Σ_{n≥0} 2ⁿ x^{2n+1} / (2n+1)!!  (A&S 7.1.6).
 * Every term has the sign of x, so there is no cancellation, unlike the Maclaurin series.
 */
function erfSeries(x: number): number {
  const twoX2 = 2 * x * x;
  let term = x;
  let sum = x;
  for (let n = 0; n < 500; n++) {
    term *= twoX2 / (2 * n + 3);
    sum += term;
    if (Math.abs(term) <= Math.abs(sum) * 1e-17) break;
  }
  return TWO_OVER_SQRT_PI * Math.exp(-x * x) * sum;
}

/**
 * erfc(x) for x ≥ SERIES_LIMIT: e^{-x²}/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …))))  (A&S 7.1.14),
 * evaluated with the modified Lentz algorithm.
 */
function erfcContinuedFraction(x: number): number {
  // e^{-x²} underflows to 0 past x ≈ 27.3; stop early so ±∞ never reaches ∞/∞.
  if (x > 27.5) return 0;
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let n = 1; n < 5000; n++) {
    const a = n / 2;
    d = x + a * d;
    if (d === 0) d = tiny;
    d = 1 / d;
    c = x + a / c;
    if (c === 0) c = tiny;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-17) break;
  }
  return (INV_SQRT_PI * Math.exp(-x * x)) / f;
}

export function erf(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  const ax = Math.abs(x);
  if (ax < SERIES_LIMIT) return erfSeries(x);
  const r = 1 - erfcContinuedFraction(ax);
  return x < 0 ? -r : r;
}

/** 1 − erf(x): relative precision ~1e-15 in the right tail (x ≥ 2.5), absolute ~1e-16 elsewhere. */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  if (x >= SERIES_LIMIT) return erfcContinuedFraction(x);
  if (x <= -SERIES_LIMIT) return 2 - erfcContinuedFraction(-x);
  return 1 - erfSeries(x);
}
