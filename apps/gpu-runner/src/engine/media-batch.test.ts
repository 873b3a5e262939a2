// The pad path of buildMediaInputs (no token sees an image) must give the decoder exactly
// what a full width of zeroed image latents gives.
import { describe, expect, it } from "vitest";
import { maxAbsDiff, tinyModel } from "../../test/tiny-model.js";
import { servingBuild } from "../server/load-model.js";
import { KvPool } from "./kv-pool.js";
import { buildMediaInputs, type MediaInputs } from "./media-batch.js";

describe("buildMediaInputs", () => {
  it("a call without images gets one pad position, with the same logits as a zeroed image", async () => {
    const model = tinyModel();
    const rt = await model.load(servingBuild({ precision: "fp32", kvDtype: "fp16" }));
    const cfg = model.config;
    const B = 2;
    const S = 3;
    const rows = Array.from({ length: B }, () => ({ images: [], times: new Int32Array(S) }));
    const pad = buildMediaInputs(cfg, rt.xLayers, rows, S);
    expect(pad.mediaLen).toBe(1);
    expect(rt.xLayers.length).toBeGreaterThan(0);
    const per = cfg.perceiver.numLatents * cfg.crossAttention.heads * cfg.crossAttention.dimHead;
    const zeros = new Map(rt.xLayers.map((i) => [i, new Float32Array(B * per)]));
    const run = (media: Pick<MediaInputs, "mediaKeys" | "mediaValues" | "mediaLen">) => {
      const pool = new KvPool(cfg.language, B, 256, rt.kvDtype);
      return rt.decode({
        batch: B,
        seq: S,
        inputIds: BigInt64Array.from({ length: B * S }, (_, k) => BigInt(300 + k)),
        positionIds: BigInt64Array.from({ length: B * S }, (_, k) => BigInt(k % S)),
        mediaTime: new BigInt64Array(B * S),
        hasMedia: new Float32Array(B),
        numLogitsToKeep: S,
        ...media,
        cache: { mode: "append", ...pool.view(0, B), capacity: pool.capacity, pastLengths: new BigInt64Array(B) },
      });
    };
    const a = await run(pad);
    const b = await run({ mediaKeys: zeros, mediaValues: zeros, mediaLen: cfg.perceiver.numLatents });
    expect(maxAbsDiff(a.logits, b.logits)).toBe(0);
  });
});
