import { describe, expect, it } from "vitest";
import { type ModelConfig, numPatches } from "../config.js";
import { layerNorm } from "./norms.js";
import { maxRowDiff, randomArray, randomWeights, row, tinyConfig, withTensor } from "./test-support.js";
import { referenceVision } from "./vision.js";
import type { RefWeights } from "./weights.js";

const config = tinyConfig();
const v = config.vision;
const S = v.imageSize;
const P = v.patchSize;
const grid = S / P;
const V = "vision_encoder.visual.";
const noPositions = (w: RefWeights) => withTensor(w, `${V}positional_embedding`, (d) => d.fill(0));

/** Copies patch (gy, gx) of `src` into patch (ty, tx) of `dst`, all channels. */
function copyPatch(src: Float64Array, dst: Float64Array, gy: number, gx: number, ty: number, tx: number) {
  for (let c = 0; c < 3; c++) {
    for (let y = 0; y < P; y++) {
      for (let x = 0; x < P; x++) {
        dst[(c * S + ty * P + y) * S + tx * P + x] = src[(c * S + gy * P + y) * S + gx * P + x];
      }
    }
  }
}

describe("referenceVision", () => {
  const weights = randomWeights(config, 11);
  const pixels = randomArray(3 * S * S, 12);

  it("returns [numPatches × width] patch features, the same for float32 and float64 pixels", () => {
    const out = referenceVision(config, weights, pixels);
    expect(out.length).toBe(numPatches(v) * v.width);
    expect(out.every(Number.isFinite)).toBe(true);
    const f32 = Float32Array.from(pixels);
    expect([...referenceVision(config, weights, f32)]).toEqual([
      ...referenceVision(config, weights, Float64Array.from(f32)),
    ]);
  });

  it("numbers patches row-major and reads conv1 as [out, channel, ky, kx]", () => {
    const flat: ModelConfig = { ...config, vision: { ...v, layers: 0 } };
    const w = noPositions(randomWeights(flat, 13));
    const [gy, gx, c, ky, kx] = [2, 5, 1, 3, 7];
    const img = new Float64Array(3 * S * S);
    img[(c * S + gy * P + ky) * S + gx * P + kx] = 1;
    const out = referenceVision(flat, w, img);
    // With no blocks and no positions, patch p is ln_pre(conv1 response), and only one patch saw the pixel.
    const conv = w.get(`${V}conv1.weight`)!.data;
    const embed = Float64Array.from({ length: v.width }, (_, o) => conv[((o * 3 + c) * P + ky) * P + kx]);
    const ln = (x: Float64Array) =>
      layerNorm(
        x,
        v.width,
        Float64Array.from(w.get(`${V}ln_pre.weight`)!.data),
        Float64Array.from(w.get(`${V}ln_pre.bias`)!.data),
        v.layerNormEps,
      );
    const lit = gy * grid + gx;
    for (let p = 0; p < numPatches(v); p++) {
      const want = p === lit ? ln(embed) : ln(new Float64Array(v.width));
      expect(maxRowDiff(row(out, v.width, p), want, v.width, 0, 1)).toBeLessThan(1e-12);
    }
  });

  it("without positional embeddings, swapping two patches swaps their output rows", () => {
    const w = noPositions(weights);
    const swapped = Float64Array.from(pixels);
    copyPatch(pixels, swapped, 1, 2, 4, 6);
    copyPatch(pixels, swapped, 4, 6, 1, 2);
    const a = referenceVision(config, w, pixels);
    const b = referenceVision(config, w, swapped);
    const [p, q] = [1 * grid + 2, 4 * grid + 6];
    expect(maxRowDiff(row(a, v.width, p), row(b, v.width, q), v.width, 0, 1)).toBeLessThan(1e-12);
    expect(maxRowDiff(row(a, v.width, q), row(b, v.width, p), v.width, 0, 1)).toBeLessThan(1e-12);
    expect(maxRowDiff(row(a, v.width, 0), row(b, v.width, 0), v.width, 0, 1)).toBeLessThan(1e-12);
  });

  it("the class token reaches the patches only through attention", () => {
    // Not a constant shift: ln_pre would cancel it.
    const moveClass = (w: RefWeights) => withTensor(w, `${V}class_embedding`, (d) => d.map((x, i) => x + Math.sin(i)));
    const n = numPatches(v);
    const base = referenceVision(config, weights, pixels);
    expect(maxRowDiff(base, referenceVision(config, moveClass(weights), pixels), v.width, 0, n)).toBeGreaterThan(1e-6);

    // With every out_proj weight zero, attention adds only its bias: no token sees another.
    let blind = weights;
    for (let i = 0; i < v.layers; i++) {
      blind = withTensor(blind, `${V}transformer.resblocks.${i}.attn.out_proj.weight`, (d) => d.fill(0));
    }
    const a = referenceVision(config, blind, pixels);
    const b = referenceVision(config, moveClass(blind), pixels);
    expect([...a]).toEqual([...b]);
  });

  it("rejects pixels of the wrong size", () => {
    expect(() => referenceVision(config, weights, new Float32Array(3 * S * S - 1))).toThrow(/pixel values/);
  });
});
