// The captioned-image sequences of the base (pre-training) stage, in OpenFlamingo's interleaved
// format. Under the v1 media rule text reads the image that FOLLOWS it (MODEL.md), which gives
// two layouts:
//   "image-first": the template's image header, <image>, caption, <|endofchunk|> — the serving
//     layout: the caption (like an answer) cannot cross-attend and reads the image through the
//     header positions, the ones the instruction stage later reads it through;
//   "text-first": caption, <image>, <|endofchunk|> — the caption tokens cross-attend to the image
//     directly while predicting it (what OpenFlamingo v1 saw in interleaved data wherever text
//     precedes an image), a short path that teaches the vision side to see.
// Tokenized by render.ts's <image> rule (whitespace touching <image> stripped).
import type { Tokenizer } from "../tokenizer/types.js";
import { IMAGE_HEADER, TEMPLATE } from "./template.js";

export type CaptionLayout = "image-first" | "text-first";

export interface RenderedCaption {
  /** BOS, …, EOS. */
  ids: number[];
  /** Which ids are training targets (1): the caption, <|endofchunk|> and EOS, never BOS or <image>. */
  targets: Uint8Array;
}

export function renderCaption(
  tokenizer: Tokenizer,
  caption: string,
  layout: CaptionLayout = "image-first",
): RenderedCaption {
  const { bos, eos, image, endOfChunk } = tokenizer.special;
  const text = tokenizer.encode(caption.trim());
  if (layout === "text-first") {
    const ids = [bos, ...text, image, endOfChunk, eos];
    const targets = new Uint8Array(ids.length).fill(1, 1);
    targets[1 + text.length] = 0; // <image> is input, not a prediction
    return { ids, targets };
  }
  const head = [bos, ...tokenizer.encode(`${TEMPLATE}${IMAGE_HEADER}`.replace(/\s+$/u, "")), image];
  const ids = [...head, ...text, endOfChunk, eos];
  return { ids, targets: new Uint8Array(ids.length).fill(1, head.length) };
}
