import { describe, expect, it } from "vitest";
import { loraTargets } from "../../weights/names.js";
import type { ModelConfig } from "../config.js";
import { referenceForward } from "./forward.js";
import { maxRowDiff, randomLatents, randomWeights, tinyConfig, withTensor } from "./test-support.js";
import type { RefWeights } from "./weights.js";

const config = tinyConfig();
const lora = config.lora!;
const V = config.language.vocabSize;
const IMG = config.tokens.image;
const weights = randomWeights(config, 41, { lora: true });
const img = randomLatents(config, 42);
const withImage = [1, 10, IMG, 11, 12];
const langOnly = [1, 10, 11, 12];

/** W + (alpha/r)·B·A for every target, in float64: what a merging loader would produce. */
function merged(w: RefWeights): RefWeights {
  const scale = lora.alpha / lora.r;
  let out = w;
  for (const t of loraTargets(config)) {
    const A = Float64Array.from(w.get(t.a)!.data); // [r, in]
    const B = Float64Array.from(w.get(t.b)!.data); // [out, r]
    out = withTensor(out, t.base, (W) => {
      for (let o = 0; o < t.out; o++) {
        for (let i = 0; i < t.in; i++) {
          let s = 0;
          for (let k = 0; k < lora.r; k++) s += B[o * lora.r + k] * A[k * t.in + i];
          W[o * t.in + i] += scale * s;
        }
      }
      return W;
    });
  }
  return out;
}

describe("referenceForward with LoRA", () => {
  it("adapts every MultiModal-GPT target: self-attention and the gated blocks", () => {
    const bases = loraTargets(config).map((t) => t.base);
    expect(bases.filter((b) => b.includes("self_attn")).length).toBe(4 * config.language.layers);
    expect(bases.filter((b) => b.includes("gated_cross_attn")).length).toBe(5 * (config.language.layers / 2));
  });

  it("with B = 0 (peft's initialization) equals the base model exactly", () => {
    let zeroB = weights;
    for (const t of loraTargets(config)) zeroB = withTensor(zeroB, t.b, (d) => d.fill(0));
    for (const [ids, images] of [
      [withImage, [img]],
      [langOnly, []],
    ] as const) {
      const base = referenceForward(config, zeroB, ids, images);
      expect([...referenceForward(config, zeroB, ids, images, { lora: true })]).toEqual([...base]);
    }
  });

  it("unmerged W·x + (alpha/r)·B·A·x equals a forward over hand-merged weights", () => {
    const mergedWeights = merged(weights);
    for (const [ids, images] of [
      [withImage, [img]],
      [langOnly, []],
    ] as const) {
      const unmerged = referenceForward(config, weights, ids, images, { lora: true });
      const base = referenceForward(config, weights, ids, images);
      const viaMerge = referenceForward(config, mergedWeights, ids, images);
      expect(maxRowDiff(unmerged, base, V, 0, ids.length)).toBeGreaterThan(1e-3);
      expect(maxRowDiff(unmerged, viaMerge, V, 0, ids.length)).toBeLessThan(1e-10);
    }
  });

  it("the gated blocks' adapters matter only when the sequence holds an image", () => {
    // Drop the cross-attention adapters: language-only logits are unchanged, image logits are not.
    let selfOnly = weights;
    for (const t of loraTargets(config).filter((t) => t.base.includes("gated_cross_attn"))) {
      selfOnly = withTensor(selfOnly, t.b, (d) => d.fill(0));
    }
    const run = (w: RefWeights, ids: readonly number[], images: Float64Array[]) =>
      referenceForward(config, w, ids, images, { lora: true });
    expect([...run(selfOnly, langOnly, [])]).toEqual([...run(weights, langOnly, [])]);
    expect(maxRowDiff(run(selfOnly, withImage, [img]), run(weights, withImage, [img]), V, 0, 5)).toBeGreaterThan(1e-6);
  });

  it("refuses lora without an adapter config or without the tensors", () => {
    const bare: ModelConfig = { ...config, lora: null };
    expect(() => referenceForward(bare, weights, langOnly, [], { lora: true })).toThrow(/no adapter/);
    expect(() => referenceForward(config, randomWeights(config, 43), langOnly, [], { lora: true })).toThrow(/missing/);
  });
});
