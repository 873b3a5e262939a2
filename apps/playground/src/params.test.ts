// The parameters panel's values become valid request fields; beams > 1 turns streaming off.
import { describe, expect, it } from "vitest";
import { readSampling, streams } from "./params";

describe("readSampling", () => {
  it("defaults for blanks, clamps to the API's bounds, seed only when given", () => {
    expect(readSampling({})).toEqual({ max_tokens: 512, temperature: 1, top_k: 20, top_p: 1, num_beams: 1 });
    const s = readSampling({
      max_tokens: "5000",
      temperature: "-1",
      top_k: "3.6",
      top_p: "0",
      num_beams: "3",
      seed: "42",
    });
    expect(s).toEqual({ max_tokens: 2048, temperature: 0, top_k: 4, top_p: 0.01, num_beams: 3, seed: 42 });
    expect(streams(s)).toBe(false);
    expect(streams(readSampling({ num_beams: "1" }))).toBe(true);
  });
});
