// Which image each token attends to in the gated cross-attention (1-based, 0 = none),
// per the model's media rule. Computed over the WHOLE sequence: under OpenFlamingo v1's
// rule a token's image depends on how many images exist in total, so adding an image
// later changes earlier tokens (see MODEL.md). `reusablePrefix` turns that into the rule
// every KV-cache reuse goes through.
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

/** A token sequence and the identities of its images, in `<image>` order. */
export interface MediaSequence {
  ids: readonly number[];
  images: readonly unknown[];
}

/**
 * How many leading positions of `cached` (whose K/V were computed over exactly `cached`)
 * a full recompute of `next` would reproduce: same token, same image seen through the
 * cross-attention, and the gated blocks on or off alike (they are skipped when a
 * sequence has no image, so the first image changes every position).
 */
export function reusablePrefix(
  cached: MediaSequence,
  next: MediaSequence,
  imageToken: number,
  rule: MediaRule,
): number {
  const hasA = cached.images.length > 0;
  const hasB = next.images.length > 0;
  if (hasA !== hasB) return 0;
  const a = mediaTime(cached.ids, imageToken, rule);
  const b = mediaTime(next.ids, imageToken, rule);
  const n = Math.min(cached.ids.length, next.ids.length);
  for (let t = 0; t < n; t++) {
    if (cached.ids[t] !== next.ids[t]) return t;
    const imgA = a[t] ? cached.images[a[t] - 1] : null;
    const imgB = b[t] ? next.images[b[t] - 1] : null;
    if (imgA !== imgB) return t;
  }
  return n;
}
