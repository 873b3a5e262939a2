// Which image each token's gated cross-attention reads ("text_time", 1-based, 0 = none).
// Written straight from MODEL.md's media-masking bullets; the rule is a property of the
// config because OpenFlamingo v1 (MultiModal-GPT) and v2 differ.
import type { MediaRule, ModelConfig } from "../config.js";

/**
 * With c[t] = number of `<image>` ids at positions ≤ t and N = images in the whole sequence:
 * - "next-image" (v1): `<image>` → c[t]; any other token → c[t] + 1, or 0 when c[t] + 1 > N.
 *   Text before an image reads that image; text after the last image reads none.
 * - "previous-image" (v2): every token → c[t] (0 before the first image).
 */
export function textTime(ids: readonly number[], imageToken: number, rule: MediaRule): number[] {
  const n = ids.filter((id) => id === imageToken).length;
  const out: number[] = [];
  let c = 0;
  for (const id of ids) {
    if (id === imageToken) c++;
    if (rule === "previous-image" || id === imageToken) out.push(c);
    else out.push(c + 1 > n ? 0 : c + 1);
  }
  return out;
}

/** Per-token image index (1-based, 0 = no cross-attention) under the config's media rule. */
export function referenceTextTime(config: ModelConfig, ids: readonly number[]): number[] {
  return textTime(ids, config.tokens.image, config.crossAttention.mediaRule);
}
