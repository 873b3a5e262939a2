// The pad path of buildMediaInputs (no token sees an image) must give the decoder exactly
// what a full width of zeroed image latents gives.
import { describe, expect, it } from "vitest";
import { maxAbsDiff, tinyModel, type WeightEdit } from "../../test/tiny-model.js";
import { MMGPT_TINY } from "../model/presets.js";
import { servingBuild } from "../server/load-model.js";
import { decoderCall } from "./decoder-call.js";
import { KvPool } from "./kv-pool.js";
import { buildMediaInputs, type MediaInputs } from "./media-batch.js";
import { argmax } from "./sampling/partial-select.js";

describe("buildMediaInputs", () => {
  it("greedy ids skip <image> and <PAD> when they hold the highest logit of every row", async () => {
    const cfg = MMGPT_TINY;
    const model = tinyModel(7, cfg, "F32", BANNED_ON_TOP);
    const rt = await model.load(servingBuild({ precision: "fp32", kvDtype: "fp16" }));
    const rows = Array.from({ length: 2 }, (_, b) => ({
      tokens: [300 + b, 301 + b, 302 + b],
      images: [],
      times: new Int32Array(3),
    }));
    const media = buildMediaInputs(cfg, rt.xLayers, rows, 3);
    const run = (greedy: boolean) =>
      rt.decode({
        ...decoderCall(rt, new KvPool(cfg.language, 2, 64, rt.kvDtype), 0, rows, { keep: 3, greedy }),
        ...media,
      });
    const { logits } = await run(false);
    const greedy = await run(true);
    const V = cfg.language.vocabSize;
    const banned = [cfg.tokens.image, cfg.tokens.pad];
    const want = Array.from({ length: 6 }, (_, k) => {
      const row = logits.slice(k * V, (k + 1) * V);
      // The edit worked: a banned id is what a plain argmax would pick in every row.
      expect(banned).toContain(argmax(row));
      for (const id of banned) row[id] = Number.NEGATIVE_INFINITY;
      return argmax(row);
    });
    expect(Array.from(greedy.greedyIds!, Number)).toEqual(want);
  });

  it("a call without images gets one pad position, with the same logits as a zeroed image (and greedy ids are their argmax)", async () => {
    const model = tinyModel();
    const rt = await model.load(servingBuild({ precision: "fp32", kvDtype: "fp16" }));
    const cfg = model.config;
    const B = 2;
    const S = 3;
    const rows = Array.from({ length: B }, (_, b) => ({
      tokens: Array.from({ length: S }, (_, s) => 300 + b * S + s),
      images: [],
      times: new Int32Array(S),
    }));
    const pad = buildMediaInputs(cfg, rt.xLayers, rows, S);
    expect(pad.mediaLen).toBe(1);
    expect(rt.xLayers.length).toBeGreaterThan(0);
    const per = cfg.perceiver.numLatents * cfg.crossAttention.heads * cfg.crossAttention.dimHead;
    const zeros = new Map(rt.xLayers.map((i) => [i, new Float32Array(B * per)]));
    // The engine's own call for these rows, with the media inputs swapped.
    const run = (media: Pick<MediaInputs, "mediaKeys" | "mediaValues" | "mediaLen">, greedy = false) => {
      const pool = new KvPool(cfg.language, B, 256, rt.kvDtype);
      return rt.decode({ ...decoderCall(rt, pool, 0, rows, { keep: S, greedy }), ...media });
    };
    const a = await run(pad);
    const b = await run({ mediaKeys: zeros, mediaValues: zeros, mediaLen: cfg.perceiver.numLatents });
    expect(maxAbsDiff(a.logits, b.logits)).toBe(0);

    // The same call asking for greedy ids: each kept row's argmax (the ban is exercised above).
    expect(rt.hasGreedyIds).toBe(true);
    const greedy = await run(pad, true);
    expect(greedy.logits.length).toBe(0);
    const V = cfg.language.vocabSize;
    const want = Array.from({ length: B * S }, (_, k) => {
      const row = a.logits.slice(k * V, (k + 1) * V);
      row[cfg.tokens.image] = Number.NEGATIVE_INFINITY;
      row[cfg.tokens.pad] = Number.NEGATIVE_INFINITY;
      return argmax(row);
    });
    expect(Array.from(greedy.greedyIds!, Number)).toEqual(want);
  });
});

/**
 * lm_head rows of <image> and <PAD> that read one hidden unit, ±1000: whatever its sign, one of
 * the two banned ids gets a logit far above every other id's.
 */
const BANNED_ON_TOP: WeightEdit = {
  key: "banned-on-top",
  apply(weights) {
    const head = weights.get("lm_head.weight")!;
    const { hidden } = MMGPT_TINY.language;
    const row = (id: number) => head.subarray(id * hidden, (id + 1) * hidden);
    const t = MMGPT_TINY.tokens;
    row(t.image).fill(0)[0] = 1000;
    row(t.pad).fill(0)[0] = -1000;
  },
};
