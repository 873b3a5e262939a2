// Which image each token attends to in the gated cross-attention (1-based, 0 = none),
// per the model's media rule. Computed over the WHOLE sequence: under OpenFlamingo v1's
// rule a token's image depends on how many images exist in total, so adding an image
// later changes earlier tokens (see MODEL.md; the prefix cache relies on `firstAffected`).
import type { MediaRule } from "./config.js";

export function mediaTime(ids: ArrayLike<number>, imageToken: number, rule: MediaRule): Int32Array {
  let total = 0;
  for (let t = 0; t < ids.length; t++) if (ids[t] === imageToken) total++;
  const out = new Int32Array(ids.length);
  let seen = 0;
  for (let t = 0; t < ids.length; t++) {
    const isImage = ids[t] === imageToken;
    if (isImage) seen++;
    if (rule === "previous-image" || isImage) out[t] = seen;
    else out[t] = seen + 1 <= total ? seen + 1 : 0;
  }
  return out;
}

/**
 * First position whose cross-attention input differs once `next` extends `prev`
 * (prev is a prefix of next). Everything before it can be reused from a KV cache.
 * v1: a new image re-targets the text after the previous image (from the start when it
 * is the first image). v2: earlier tokens never change.
 */
export function firstAffected(
  prev: ArrayLike<number>,
  next: ArrayLike<number>,
  imageToken: number,
  rule: MediaRule,
): number {
  const a = mediaTime(prev, imageToken, rule);
  const b = mediaTime(next, imageToken, rule);
  // The first image switches the gated blocks on for the whole sequence.
  if (!Array.prototype.includes.call(prev, imageToken) && Array.prototype.includes.call(next, imageToken)) return 0;
  for (let t = 0; t < prev.length; t++) if (a[t] !== b[t]) return t;
  return prev.length;
}
