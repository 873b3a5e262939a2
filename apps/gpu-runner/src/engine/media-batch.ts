// Builds the decoder's media inputs for one call: each row gets only the images its tokens
// attend to (a decode step under OpenFlamingo v1 needs none), packed from index 1, and the
// token→image indices are remapped to match. Rows are padded to the batch's widest row; a
// call where no token sees an image gets a single masked pad position.
import type { ModelConfig } from "../model/config.js";
import type { ImageKv } from "../model/runtime.js";

export interface MediaRow {
  images: readonly ImageKv[];
  /** Image index (1-based, 0 = none) of each token in this call, in the row's numbering. */
  times: ArrayLike<number>;
}

export interface MediaInputs {
  mediaKeys: Map<number, Float32Array>;
  mediaValues: Map<number, Float32Array>;
  mediaLen: number;
  mediaTime: BigInt64Array;
}

export function buildMediaInputs(
  config: ModelConfig,
  xLayers: readonly number[],
  rows: readonly MediaRow[],
  S: number,
): MediaInputs {
  const x = config.crossAttention;
  const L = config.perceiver.numLatents;
  const per = L * x.heads * x.dimHead;
  const used = rows.map((r) => [...new Set(Array.from(r.times).filter((t) => t > 0))].sort((a, b) => a - b));
  const width = Math.max(...used.map((u) => u.length));
  // No token attends to an image (every decode step under v1): one masked pad position is
  // enough, instead of zeroing a whole image's latents per gated layer on every step.
  if (width === 0) {
    const pad = rows.length * x.heads * x.dimHead;
    const zeros = new Map(xLayers.map((i) => [i, new Float32Array(pad)]));
    return { mediaKeys: zeros, mediaValues: zeros, mediaLen: 1, mediaTime: new BigInt64Array(rows.length * S) };
  }
  const mediaTime = new BigInt64Array(rows.length * S);
  rows.forEach((r, b) => {
    for (let s = 0; s < S; s++) {
      const t = r.times[s];
      mediaTime[b * S + s] = t > 0 ? BigInt(used[b].indexOf(t) + 1) : 0n;
    }
  });
  const mediaKeys = new Map<number, Float32Array>();
  const mediaValues = new Map<number, Float32Array>();
  for (const i of xLayers) {
    const k = new Float32Array(rows.length * width * per);
    const v = new Float32Array(k.length);
    rows.forEach((r, b) => {
      used[b].forEach((t, j) => {
        const img = r.images[t - 1];
        k.set(img.keys.get(i)!, (b * width + j) * per);
        v.set(img.values.get(i)!, (b * width + j) * per);
      });
    });
    mediaKeys.set(i, k);
    mediaValues.set(i, v);
  }
  return { mediaKeys, mediaValues, mediaLen: width * L, mediaTime };
}
