import { beforeAll, describe, expect, it } from "vitest";
import { loadTokenizer } from "../tokenizer/load-tokenizer.js";
import type { SentencePieceTokenizer } from "../tokenizer/sentencepiece-tokenizer.js";
import { renderPrompt } from "./render.js";
import { renderCaption } from "./render-caption.js";

let tok: SentencePieceTokenizer;
beforeAll(async () => {
  tok = await loadTokenizer();
});

describe("renderCaption", () => {
  it("starts exactly like a first turn with an image, then the caption, <|endofchunk|>, EOS", () => {
    const caption = "There are 2 objects: a red circle at the top left and a blue square in the center.";
    const r = renderCaption(tok, ` ${caption}\n`);
    const turn = renderPrompt(tok, { turns: [{ role: "user", text: "q", image: "i" }] }).ids;
    const imageAt = turn.indexOf(32001);
    expect(r.ids.slice(0, r.promptLength)).toEqual(turn.slice(0, imageAt + 1));
    expect(r.ids.slice(r.promptLength)).toEqual([...tok.encode(caption), 32000, 2]);
  });
});
