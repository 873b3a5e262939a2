import { describe, expect, it } from "vitest";
import { gatedCrossAttentionBlock, maskedCrossAttention } from "./cross-attention.js";
import { makeProject } from "./lora.js";
import { maxRowDiff, randomArray, randomLatents, randomWeights, tinyConfig, withTensor } from "./test-support.js";
import { Params, type RefWeights } from "./weights.js";

const config = tinyConfig();
const H = config.language.hidden;
const layer = 1; // (1 + 1) % every === 0 for the tiny config
const weights = randomWeights(config, 51);
const images = [randomLatents(config, 52), randomLatents(config, 53), randomLatents(config, 54)];
const stack = (ims: Float64Array[]) => {
  const m = new Float64Array(ims.reduce((s, x) => s + x.length, 0));
  ims.forEach((x, i) => {
    m.set(x, i * x.length);
  });
  return m;
};
const x = randomArray(5 * H, 55);
const textTime = [2, 0, 1, 3, 0];

function crossAttn(w: RefWeights, media: Float64Array, time: number[], input = x) {
  const params = new Params(config, w);
  return maskedCrossAttention(config, params, makeProject(config, params, false), layer, input, media, time);
}

describe("maskedCrossAttention", () => {
  const out = crossAttn(weights, stack(images), textTime);

  it("gives exactly zero to tokens with textTime 0", () => {
    for (const t of [1, 4]) expect(maxRowDiff(out, new Float64Array(out.length), H, t, t + 1)).toBe(0);
    for (const t of [0, 2, 3]) expect(maxRowDiff(out, new Float64Array(out.length), H, t, t + 1)).toBeGreaterThan(0);
  });

  it("lets a token read only the latents of image textTime[t], as if that image were alone", () => {
    for (const t of [0, 2, 3]) {
      const alone = crossAttn(
        weights,
        images[textTime[t] - 1],
        textTime.map((_, i) => (i === t ? 1 : 0)),
      );
      expect(maxRowDiff(out, alone, H, t, t + 1)).toBeLessThan(1e-14);
    }
  });
});

describe("gatedCrossAttentionBlock", () => {
  function block(w: RefWeights): Float64Array {
    const params = new Params(config, w);
    const y = Float64Array.from(x);
    gatedCrossAttentionBlock(config, params, makeProject(config, params, false), layer, y, stack(images), textTime);
    return y;
  }
  const g = `lang_encoder.gated_cross_attn_layers.${layer}.`;

  it("is the identity when both gates are zero (tanh(0) = 0)", () => {
    const closed = withTensor(
      withTensor(weights, `${g}attn_gate`, (d) => d.fill(0)),
      `${g}ff_gate`,
      (d) => d.fill(0),
    );
    expect([...block(closed)]).toEqual([...x]);
  });

  it("still runs the gated FF for tokens that read no image", () => {
    const attnOnly = withTensor(weights, `${g}ff_gate`, (d) => d.fill(0));
    const y = block(attnOnly);
    // ff_gate closed: textTime-0 rows keep x exactly; the rest move by the attention.
    expect(maxRowDiff(y, x, H, 1, 2)).toBe(0);
    expect(maxRowDiff(y, x, H, 0, 1)).toBeGreaterThan(0);
    expect(maxRowDiff(block(weights), x, H, 1, 2)).toBeGreaterThan(0);
  });
});
