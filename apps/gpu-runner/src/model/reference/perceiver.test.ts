import { describe, expect, it } from "vitest";
import { type ModelConfig, numPatches } from "../config.js";
import { layerNorm } from "./norms.js";
import { referenceMediaLatents, referencePerceiver } from "./perceiver.js";
import { maxRowDiff, randomArray, randomWeights, tinyConfig } from "./test-support.js";
import { referenceVision } from "./vision.js";

const config = tinyConfig();
const p = config.perceiver;
const n = numPatches(config.vision);

describe("referencePerceiver", () => {
  const weights = randomWeights(config, 21);
  const feats = randomArray(n * p.dim, 22);

  it("maps [numPatches × dim] to [numLatents × dim], depending on the features", () => {
    const out = referencePerceiver(config, weights, feats);
    expect(out.length).toBe(p.numLatents * p.dim);
    const other = referencePerceiver(config, weights, randomArray(n * p.dim, 23));
    expect(maxRowDiff(out, other, p.dim, 0, p.numLatents)).toBeGreaterThan(1e-6);
  });

  it("sees the patches as a set: permuting feature rows leaves the latents unchanged", () => {
    const perm = Array.from({ length: n }, (_, i) => (i * 17 + 5) % n); // 17 is coprime with 49
    const shuffled = new Float64Array(feats.length);
    perm.forEach((src, dst) => {
      shuffled.set(feats.subarray(src * p.dim, (src + 1) * p.dim), dst * p.dim);
    });
    const a = referencePerceiver(config, weights, feats);
    const b = referencePerceiver(config, weights, shuffled);
    expect(maxRowDiff(a, b, p.dim, 0, p.numLatents)).toBeLessThan(1e-12);
  });

  it("with no layers, returns the final norm of the learned latents", () => {
    const flat: ModelConfig = { ...config, perceiver: { ...p, depth: 0 } };
    const w = randomWeights(flat, 24);
    const get = (name: string) => Float64Array.from(w.get(name)!.data);
    const want = layerNorm(
      get("perceiver.latents"),
      p.dim,
      get("perceiver.norm.weight"),
      get("perceiver.norm.bias"),
      p.layerNormEps,
    );
    expect([...referencePerceiver(flat, w, feats)]).toEqual([...want]);
  });

  it("referenceMediaLatents is perceiver(vision(pixels))", () => {
    const pixels = Float32Array.from(randomArray(3 * config.vision.imageSize ** 2, 25));
    const want = referencePerceiver(config, weights, referenceVision(config, weights, pixels));
    expect([...referenceMediaLatents(config, weights, pixels)]).toEqual([...want]);
  });
});
