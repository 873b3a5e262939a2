import { beforeAll, describe, expect, it } from "vitest";
import { textTime } from "../model/reference/text-time.js";
import { loadTokenizer } from "../tokenizer/load-tokenizer.js";
import type { SentencePieceTokenizer } from "../tokenizer/sentencepiece-tokenizer.js";
import { renderPrompt } from "./render.js";
import { renderCaption } from "./render-caption.js";

let tok: SentencePieceTokenizer;
beforeAll(async () => {
  tok = await loadTokenizer();
});
const caption = "There are 2 objects: a red circle at the top left and a blue square in the center.";

describe("renderCaption", () => {
  it("image-first starts exactly like a first turn with an image, then caption, <|endofchunk|>, EOS", () => {
    const r = renderCaption(tok, ` ${caption}\n`);
    const turn = renderPrompt(tok, { turns: [{ role: "user", text: "q", image: "i" }] }).ids;
    const head = turn.slice(0, turn.indexOf(32001) + 1);
    expect(r.ids).toEqual([...head, ...tok.encode(caption), 32000, 2]);
    expect([...r.targets]).toEqual(r.ids.map((_, i) => (i >= head.length ? 1 : 0)));
    // v1 rule: the caption comes after the only image and cannot cross-attend.
    expect(textTime(r.ids, 32001, "next-image").slice(head.length)).toEqual(r.ids.slice(head.length).map(() => 0));
  });

  it("text-first puts the caption before <image>, where every caption token reads the image", () => {
    const r = renderCaption(tok, caption, "text-first");
    const text = tok.encode(caption);
    expect(r.ids).toEqual([1, ...text, 32001, 32000, 2]);
    expect([...r.targets]).toEqual([0, ...text.map(() => 1), 0, 1, 1]);
    expect(textTime(r.ids, 32001, "next-image").slice(0, text.length + 2)).toEqual(
      r.ids.slice(0, text.length + 2).map(() => 1),
    );
  });
});
