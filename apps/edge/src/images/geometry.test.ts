import { describe, expect, it } from "vitest";
import { planResize, roundHalfEven } from "./geometry";

describe("torchvision size rules", () => {
  it("rounds halves to even like Python", () => {
    expect([0.5, 1.5, 2.5, 36.5, 37.5, 246.5, 2.4, 2.6].map(roundHalfEven)).toEqual([0, 2, 2, 36, 38, 246, 2, 3]);
  });

  it("truncates the long side and centers the crop", () => {
    expect(planResize(641, 200)).toEqual({ width: 717, height: 224, left: 246, top: 0, size: 224 });
    expect(planResize(100, 150)).toEqual({ width: 224, height: 336, left: 0, top: 56, size: 224 });
    expect(planResize(4032, 3024)).toEqual({ width: 298, height: 224, left: 37, top: 0, size: 224 });
    expect(planResize(500, 500)).toEqual({ width: 224, height: 224, left: 0, top: 0, size: 224 });
  });

  it("handles extreme aspect ratios", () => {
    expect(planResize(12_000, 1)).toEqual({ width: 2_688_000, height: 224, left: 1_343_888, top: 0, size: 224 });
  });
});
