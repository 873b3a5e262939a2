// The pad path of buildMediaInputs (no token sees an image) must give the decoder exactly
// what a full width of zeroed image latents gives.
import { describe, expect, it } from "vitest";
import { maxAbsDiff, tinyModel } from "../../test/tiny-model.js";
import { servingBuild } from "../server/load-model.js";
import { decoderCall } from "./decoder-call.js";
import { KvPool } from "./kv-pool.js";
import { buildMediaInputs, type MediaInputs } from "./media-batch.js";
import { argmax } from "./sampling/partial-select.js";

describe("buildMediaInputs", () => {
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

    // The same call asking for greedy ids: each kept row's argmax, <image> and <PAD> excluded.
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
