import { describe, expect, it } from "vitest";
import type { ModelConfig } from "../config.js";
import { tinyConfig } from "./test-support.js";
import { referenceTextTime } from "./text-time.js";

const v1 = tinyConfig();
const v2: ModelConfig = { ...v1, crossAttention: { ...v1.crossAttention, mediaRule: "previous-image" } };
const IMG = v1.tokens.image;
const BOS = v1.tokens.bos;
const [a, b, c, d] = [10, 11, 12, 13];

describe("referenceTextTime, next-image (OpenFlamingo v1 / MultiModal-GPT)", () => {
  it("text before the only image reads it; text after it reads nothing", () => {
    expect(referenceTextTime(v1, [BOS, a, b, IMG, c, d])).toEqual([1, 1, 1, 1, 0, 0]);
  });

  it("text between two images reads the next one; <image> reads its own", () => {
    expect(referenceTextTime(v1, [a, IMG, b, IMG, c])).toEqual([1, 1, 2, 2, 0]);
  });

  it("adjacent images and an image first", () => {
    expect(referenceTextTime(v1, [IMG, IMG, a, IMG])).toEqual([1, 2, 3, 3]);
    expect(referenceTextTime(v1, [IMG, a, b])).toEqual([1, 0, 0]);
  });

  it("a language-only sequence reads no image", () => {
    expect(referenceTextTime(v1, [BOS, a, b, c])).toEqual([0, 0, 0, 0]);
  });

  it("the MultiModal-GPT prompt: template and <image> read image 1, instruction and answer nothing", () => {
    expect(referenceTextTime(v1, [BOS, a, b, IMG, c, d, a])).toEqual([1, 1, 1, 1, 0, 0, 0]);
  });
});

describe("referenceTextTime, previous-image (OpenFlamingo v2)", () => {
  it("every token reads the last image at or before it", () => {
    expect(referenceTextTime(v2, [BOS, a, IMG, b, IMG, c])).toEqual([0, 0, 1, 1, 2, 2]);
    expect(referenceTextTime(v2, [BOS, a, b, IMG, c, d])).toEqual([0, 0, 0, 1, 1, 1]);
    expect(referenceTextTime(v2, [a, b])).toEqual([0, 0]);
  });
});
