import { describe, expect, it } from "vitest";
import { validateModelConfig } from "./load-config.js";
import { MMGPT_TINY, OPENFLAMINGO_9B_MMGPT } from "./presets.js";

describe("model config validation", () => {
  it("accepts both presets", () => {
    expect(validateModelConfig(structuredClone(MMGPT_TINY)).name).toBe("mmgpt-tiny");
    expect(validateModelConfig(structuredClone(OPENFLAMINGO_9B_MMGPT)).language.hidden).toBe(4096);
  });

  it("reports every missing or ill-typed field by path", () => {
    const bad = structuredClone(MMGPT_TINY) as unknown as Record<string, Record<string, unknown>>;
    bad.language.hidden = -1;
    bad.vision.patchSize = "32";
    bad.crossAttention.mediaRule = "sideways";
    expect(() => validateModelConfig(bad)).toThrow(
      /^(?=[\s\S]*language\.hidden: expected positive integer, found -1)(?=[\s\S]*vision\.patchSize)(?=[\s\S]*mediaRule)/,
    );
  });

  it("checks that dimensions fit together", () => {
    const bad = structuredClone(MMGPT_TINY);
    bad.language.kvHeads = 3;
    bad.crossAttention.mediaDim = 32;
    expect(() => validateModelConfig(bad)).toThrow(
      /^(?=[\s\S]*multiple of kvHeads)(?=[\s\S]*mediaDim must equal perceiver.dim)/,
    );
  });
});
