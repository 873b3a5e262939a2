import { describe, expect, it } from "vitest";
import { erf, erfc } from "./erf.js";

// Values from mpmath at 30 digits, rounded to float64.
const ERF: [number, number][] = [
  [0.5, 0.5204998778130465],
  [1, 0.8427007929497149],
  [2, 0.9953222650189527],
  [-1.5, -0.9661051464753108],
  [0.1, 0.1124629160182849],
  [0.001, 0.0011283787909692365],
  [1e-8, 1.1283791670955126e-8],
  [0.3, 0.3286267594591274],
  [-0.75, -0.7111556336535151],
  [1.2345, 0.9191623964135658],
  [2.5, 0.999593047982555],
  [2.9, 0.9999589021219005],
  [3, 0.9999779095030014],
  [3.1, 0.9999883513426328],
  [4, 0.9999999845827421],
  [5, 0.9999999999984626],
  [6, 1],
];

const ERFC: [number, number][] = [
  [2.5, 0.0004069520174449589],
  [3, 2.209049699858544e-5],
  [3.5, 7.430983723414128e-7],
  [4, 1.541725790028002e-8],
  [5, 1.537459794428035e-12],
  [6, 2.1519736712498913e-17],
  [-1.5, 1.9661051464753108],
];

describe("erf", () => {
  it.each(ERF)("erf(%d) to 1e-14", (x, want) => {
    expect(Math.abs(erf(x) - want)).toBeLessThan(1e-14);
  });

  it.each(ERFC)("erfc(%d) to 1e-13 relative", (x, want) => {
    expect(Math.abs(erfc(x) - want) / want).toBeLessThan(1e-13);
  });

  it("is odd, bounded and continuous across the series/continued-fraction switch", () => {
    for (let x = -7; x <= 7; x += 0.0625) {
      expect(erf(-x)).toBe(-erf(x));
      expect(Math.abs(erf(x))).toBeLessThanOrEqual(1);
    }
    expect(Math.abs(erf(2.5 - 1e-12) - erf(2.5 + 1e-12))).toBeLessThan(1e-14);
    expect(erf(0)).toBe(0);
    expect(erf(Number.POSITIVE_INFINITY)).toBe(1);
    expect(erf(Number.NEGATIVE_INFINITY)).toBe(-1);
  });
});
