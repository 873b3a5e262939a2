import { describe, expect, it } from "vitest";
import type { ModelConfig } from "../config.js";
import { referenceForward } from "./forward.js";
import { maxRowDiff, randomLatents, randomWeights, tinyConfig, withTensor } from "./test-support.js";
import { referenceTextTime } from "./text-time.js";
import type { RefWeights } from "./weights.js";

const config = tinyConfig();
const V = config.language.vocabSize;
const IMG = config.tokens.image;
const BOS = config.tokens.bos;
const [a, b, c, d, e] = [10, 11, 12, 13, 14];
const weights = randomWeights(config, 31);
const img1 = randomLatents(config, 32);
const img2 = randomLatents(config, 33);
const other = randomLatents(config, 34);

const fwd = (ids: number[], images: Float64Array[], cfg: ModelConfig = config, w: RefWeights = weights) =>
  referenceForward(cfg, w, ids, images);
/** Which rows (positions) differ at all between two logit matrices. */
const changedRows = (x: Float64Array, y: Float64Array, rows: number) =>
  Array.from({ length: rows }, (_, t) => t).filter((t) => maxRowDiff(x, y, V, t, t + 1) > 0);

describe("referenceForward basics", () => {
  it("returns finite logits [seq × vocab]", () => {
    const out = fwd([BOS, a, IMG, b], [img1]);
    expect(out.length).toBe(4 * V);
    expect(out.every(Number.isFinite)).toBe(true);
  });

  it("a language-only sequence is plain LLaMA: identical to the config with no gated blocks", () => {
    const plain: ModelConfig = {
      ...config,
      crossAttention: { ...config.crossAttention, every: config.language.layers + 1 },
    };
    const ids = [BOS, a, b, c, d];
    expect([...fwd(ids, [])]).toEqual([...fwd(ids, [], plain)]);
    // …while with an image the (non-zero) gates do change the output.
    const withImage = [BOS, a, IMG, b];
    expect(changedRows(fwd(withImage, [img1]), fwd(withImage, [img1], plain), 4)).toEqual([0, 1, 2, 3]);
  });

  it("is causal without images: a token changes only its own and later logits", () => {
    const x = fwd([BOS, a, b, c, d], []);
    const y = fwd([BOS, a, e, c, d], []);
    expect(changedRows(x, y, 5)).toEqual([2, 3, 4]);
  });

  it("GQA: kvHeads < heads equals full heads with each kv head repeated for its query group", () => {
    const L = config.language;
    const gqa: ModelConfig = { ...config, language: { ...L, kvHeads: 2 } };
    const w = randomWeights(gqa, 35);
    const group = L.heads / 2;
    let full = w;
    for (let i = 0; i < L.layers; i++) {
      for (const p of ["k_proj", "v_proj"]) {
        full = withTensor(
          full,
          `model.layers.${i}.self_attn.${p}.weight`,
          (src) => {
            const out = new Float64Array(L.heads * L.headDim * L.hidden);
            const size = L.headDim * L.hidden;
            for (let h = 0; h < L.heads; h++)
              out.set(src.subarray(Math.floor(h / group) * size, (Math.floor(h / group) + 1) * size), h * size);
            return out;
          },
          [L.heads * L.headDim, L.hidden],
        );
      }
    }
    const ids = [BOS, a, IMG, b, c];
    const x = fwd(ids, [img1], gqa, w);
    const y = fwd(ids, [img1], config, full);
    expect(maxRowDiff(x, y, V, 0, ids.length)).toBeLessThan(1e-10);
  });

  it("rejects inputs that do not match the sequence", () => {
    expect(() => fwd([BOS, IMG, a], [])).toThrow(/1 <image> tokens but 0 images/);
    expect(() => fwd([BOS, a], [img1])).toThrow(/0 <image> tokens but 1 images/);
    expect(() => fwd([BOS, V], [])).toThrow(/outside the vocabulary/);
    expect(() => fwd([IMG], [img1.subarray(1)])).toThrow(/latent values/);
    expect(() => fwd([], [])).toThrow(/empty/);
  });
});

describe("referenceForward media masking, next-image rule (MultiModal-GPT)", () => {
  // textTime = [1, 1, 1, 2, 2, 0, 0]
  const ids = [BOS, a, IMG, b, IMG, c, d];
  const base = fwd(ids, [img1, img2]);

  it("changing an image changes the text before it: image 2 reaches b (before it) but nothing up to image 1", () => {
    expect(changedRows(base, fwd(ids, [img1, other]), 7)).toEqual([3, 4, 5, 6]);
    expect(changedRows(base, fwd(ids, [other, img2]), 7)).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it("cross-attention reaches exactly the tokens whose textTime names the image (self-attention cut)", () => {
    // With every o_proj zero, positions cannot see each other, so a change shows only where the
    // gated cross-attention reads it directly. Text after the last image (textTime 0) never does.
    let local = weights;
    for (let i = 0; i < config.language.layers; i++) {
      local = withTensor(local, `model.layers.${i}.self_attn.o_proj.weight`, (w) => w.fill(0));
    }
    const x = fwd(ids, [img1, img2], config, local);
    expect(referenceTextTime(config, ids)).toEqual([1, 1, 1, 2, 2, 0, 0]);
    expect(changedRows(x, fwd(ids, [other, img2], config, local), 7)).toEqual([0, 1, 2]);
    expect(changedRows(x, fwd(ids, [img1, other], config, local), 7)).toEqual([3, 4]);
  });

  it("tokens after the last image are causal: changing them leaves every earlier logit bit-identical", () => {
    expect(changedRows(base, fwd([BOS, a, IMG, b, IMG, e, d], [img1, img2]), 7)).toEqual([5, 6]);
  });

  it("a prefix that holds every image gives the same logits as the full forward (what a KV cache reuses)", () => {
    for (const k of [5, 6]) {
      const prefix = fwd(ids.slice(0, k), [img1, img2]);
      expect(maxRowDiff(prefix, base, V, 0, k)).toBe(0);
    }
  });

  it("adding an image re-targets the text since the previous image, and nothing before it", () => {
    const before = fwd([BOS, a, IMG, b], [img1]); // b: textTime 0
    const after = fwd([BOS, a, IMG, b, IMG], [img1, img2]); // b: textTime 2
    expect(changedRows(before, after, 4)).toEqual([3]);
  });

  it("the first image turns a language-only prefix into an image-conditioned one", () => {
    const before = fwd([BOS, a, b], []);
    const after = fwd([BOS, a, b, IMG], [img1]);
    expect(changedRows(before, after, 3)).toEqual([0, 1, 2]);
  });
});

describe("referenceForward media masking, previous-image rule (OpenFlamingo v2)", () => {
  const v2: ModelConfig = { ...config, crossAttention: { ...config.crossAttention, mediaRule: "previous-image" } };
  const ids = [BOS, a, IMG, b, IMG, c, d]; // textTime [0, 0, 1, 1, 2, 2, 2]

  it("is causal once an image is present: every such prefix gives the same logits as the full forward", () => {
    const full = fwd(ids, [img1, img2], v2);
    // Prefixes before the first image are language-only, so they skip the gated blocks (and their FF).
    expect(changedRows(fwd(ids.slice(0, 2), [], v2), full, 2)).toEqual([0, 1]);
    for (let k = 3; k < ids.length; k++) {
      const n = ids.slice(0, k).filter((id) => id === IMG).length;
      expect(maxRowDiff(fwd(ids.slice(0, k), [img1, img2].slice(0, n), v2), full, V, 0, k)).toBe(0);
    }
  });

  it("an image changes only its own and later positions", () => {
    const x = fwd(ids, [img1, img2], v2);
    expect(changedRows(x, fwd(ids, [img1, other], v2), 7)).toEqual([4, 5, 6]);
    expect(changedRows(x, fwd(ids, [other, img2], v2), 7)).toEqual([2, 3, 4, 5, 6]);
  });
});
