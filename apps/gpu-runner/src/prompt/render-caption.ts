// The captioned-image sequence of the base (pre-training) stage, OpenFlamingo's
// `<image>caption<|endofchunk|>` preceded by the template's image header. In interleaved
// pre-training data text comes before each image, and under the v1 media rule that text reads
// the image it precedes; using the template's own header makes those the positions the
// instruction stage later reads the image through. Tokenized by render.ts's <image> rule.
import type { Tokenizer } from "../tokenizer/types.js";
import { IMAGE_HEADER, TEMPLATE } from "./template.js";

export interface RenderedCaption {
  /** BOS, header, <image>, caption, <|endofchunk|>, EOS. */
  ids: number[];
  /** Ids before the caption (no loss on them). */
  promptLength: number;
}

export function renderCaption(tokenizer: Tokenizer, caption: string): RenderedCaption {
  const { bos, eos, image, endOfChunk } = tokenizer.special;
  const head = [bos, ...tokenizer.encode(`${TEMPLATE}${IMAGE_HEADER}`.replace(/\s+$/u, "")), image];
  return { ids: [...head, ...tokenizer.encode(caption.trim()), endOfChunk, eos], promptLength: head.length };
}
