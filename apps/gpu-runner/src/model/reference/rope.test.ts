import { describe, expect, it } from "vitest";
import { applyRope, ropeInvFreq } from "./rope.js";
import { randomArray } from "./test-support.js";

const headDim = 16;
const theta = 10000;

function rotated(x: Float64Array, p: number): Float64Array {
  const y = Float64Array.from(x);
  applyRope(y, 1, headDim, [p], theta);
  return y;
}

const dot = (a: Float64Array, b: Float64Array) => a.reduce((s, v, i) => s + v * b[i], 0);

describe("rope", () => {
  it("q·k after rotation depends only on the relative position", () => {
    const q = randomArray(headDim, 1);
    const k = randomArray(headDim, 2);
    const base = dot(rotated(q, 7), rotated(k, 3));
    for (const shift of [1, 10, 100, 1500]) {
      expect(dot(rotated(q, 7 + shift), rotated(k, 3 + shift))).toBeCloseTo(base, 10);
    }
    expect(Math.abs(dot(rotated(q, 8), rotated(k, 3)) - base)).toBeGreaterThan(1e-6);
  });

  it("is the identity at position 0 and preserves norms", () => {
    const x = randomArray(headDim, 3);
    expect([...rotated(x, 0)]).toEqual([...x]);
    expect(dot(rotated(x, 123), rotated(x, 123))).toBeCloseTo(dot(x, x), 12);
  });

  it("pairs dimension i with i + headDim/2 (HF rotate_half), with inv_freq = theta^(-2i/headDim)", () => {
    const f = ropeInvFreq(headDim, theta);
    expect(f[0]).toBe(1);
    expect(f[3]).toBeCloseTo(theta ** (-6 / headDim), 15);
    const p = 5;
    const e = new Float64Array(headDim);
    e[3] = 1;
    const y = rotated(e, p);
    expect(y[3]).toBeCloseTo(Math.cos(p * f[3]), 15);
    expect(y[3 + headDim / 2]).toBeCloseTo(Math.sin(p * f[3]), 15);
    expect(y.reduce((s, v, i) => s + (i === 3 || i === 3 + headDim / 2 ? 0 : Math.abs(v)), 0)).toBe(0);
  });

  it("rotates every head of a row the same way", () => {
    const one = randomArray(headDim, 4);
    const two = new Float64Array(2 * headDim);
    two.set(one, 0);
    two.set(one, headDim);
    applyRope(two, 2, headDim, [9], theta);
    expect([...two.subarray(0, headDim)]).toEqual([...two.subarray(headDim)]);
    expect([...two.subarray(0, headDim)]).toEqual([...rotated(one, 9)]);
  });
});
