// The rendered prompt against MODEL.md's exact strings, the ids the model was trained on, and
// the prefix-stability the KV cache relies on.
import { beforeAll, describe, expect, it } from "vitest";
import { loadTokenizer } from "../tokenizer/load-tokenizer.js";
import type { SentencePieceTokenizer } from "../tokenizer/sentencepiece-tokenizer.js";
import { renderPrompt } from "./render.js";
import type { ConversationTurn } from "./types.js";

let tok: SentencePieceTokenizer;
beforeAll(async () => {
  tok = await loadTokenizer();
});

// MODEL.md, "Prompt format", written out literally rather than rebuilt from our constants.
const TEMPLATE =
  "Below is an instruction that describes a task. Write a response that appropriately completes the request.";
const Q1 = "What is in this image?";
const A1 = "A cat on a mat.";
const Q2 = "What colour is it?";

const user = (text: string, extra: Partial<ConversationTurn> = {}): ConversationTurn => ({
  role: "user",
  text,
  ...extra,
});
const assistant = (text: string): ConversationTurn => ({ role: "assistant", text });
const pieces = (ids: number[]) => ids.map((id) => tok.idToPiece(id));

describe("renderPrompt: MODEL.md strings", () => {
  it("first turn with an image", () => {
    const r = renderPrompt(tok, { turns: [user(Q1, { image: "img-1" })] });
    expect(r.text).toBe(`${TEMPLATE}\n\n### Image:\n<image>\n\n### Instruction:\n${Q1}\n\n### Response:\n`);
    // Text before and after <image> tokenized separately, whitespace beside <image> stripped and
    // each chunk given the dummy prefix, as transformers' LlamaTokenizer did in training.
    expect(r.ids).toEqual([
      1,
      ...tok.encode(`${TEMPLATE}\n\n### Image:`),
      32001,
      ...tok.encode(`### Instruction:\n${Q1}\n\n### Response:\n`),
    ]);
    const at = r.ids.indexOf(32001);
    expect(pieces(r.ids.slice(at - 5, at + 6))).toEqual([
      "<0x0A>",
      "##",
      "#",
      "\u2581Image",
      ":",
      "<image>",
      "\u2581###",
      "\u2581Inst",
      "ruction",
      ":",
      "<0x0A>",
    ]);
    expect(r.ids.slice(0, 3)).toEqual([1, 13866, 338]); // <s> ▁Below ▁is
    expect(r.ids.slice(-5)).toEqual([2277, 29937, 13291, 29901, 13]); // ## # ▁Response : \n
    expect(r.images).toEqual([{ index: at, image: "img-1", turn: 0 }]);
    expect(r.turns).toEqual([{ text: r.text, ids: r.ids, promptLength: r.ids.length, answered: false }]);
  });

  it("several images in one message: an Image block each, in order, before the instruction", () => {
    const r = renderPrompt(tok, { turns: [user(Q1, { images: ["img-1", "img-2", "img-3"] })] });
    const block = "\n\n### Image:\n<image>";
    expect(r.text).toBe(`${TEMPLATE}${block}${block}${block}\n\n### Instruction:\n${Q1}\n\n### Response:\n`);
    // Each text chunk between images is stripped of the whitespace touching an <image> and
    // encoded on its own, by the same rule as one image (MODEL.md).
    expect(r.ids).toEqual([
      1,
      ...tok.encode(`${TEMPLATE}\n\n### Image:`),
      32001,
      ...tok.encode("### Image:"),
      32001,
      ...tok.encode("### Image:"),
      32001,
      ...tok.encode(`### Instruction:\n${Q1}\n\n### Response:\n`),
    ]);
    const at = r.ids.flatMap((id, i) => (id === 32001 ? [i] : []));
    expect(r.images).toEqual([
      { index: at[0], image: "img-1", turn: 0 },
      { index: at[1], image: "img-2", turn: 0 },
      { index: at[2], image: "img-3", turn: 0 },
    ]);
    // One image given as `images: [x]` renders exactly like `image: x`.
    expect(renderPrompt(tok, { turns: [user(Q1, { images: ["a"] })] }).ids).toEqual(
      renderPrompt(tok, { turns: [user(Q1, { image: "a" })] }).ids,
    );
  });

  it("complete: a training example ends with the answer, ids = the answered turns'", () => {
    const turns = [user(Q1, { image: "i" }), assistant(A1), user(Q2), assistant("Grey.")];
    const r = renderPrompt(tok, { turns }, { complete: true });
    const open = renderPrompt(tok, { turns: turns.slice(0, 3) });
    expect(r.ids.slice(0, open.turns[0].ids.length)).toEqual(open.turns[0].ids);
    expect(r.turns.map((t) => t.answered)).toEqual([true, true]);
    expect(r.ids.at(-1)).toBe(2);
    expect(() => renderPrompt(tok, { turns: turns.slice(0, 3) }, { complete: true })).toThrow(/must end with/);
  });

  it("promptLength splits an answered exchange into prompt and answer + EOS", () => {
    const r = renderPrompt(tok, { turns: [user(Q1, { image: "i" }), assistant(A1), user(Q2)] });
    const [first, second] = r.turns;
    const alone = renderPrompt(tok, { turns: [user(Q1, { image: "i" })] });
    expect(first.ids.slice(0, first.promptLength)).toEqual(alone.ids);
    expect(first.ids.slice(first.promptLength)).toEqual([...tok.encode(A1, { addDummyPrefix: false }), 2]);
    expect(second.promptLength).toBe(second.ids.length);
  });

  it("first turn without an image", () => {
    const r = renderPrompt(tok, { turns: [user(Q1)] });
    expect(r.text).toBe(`${TEMPLATE}\n\n### Instruction:\n${Q1}\n\n### Response:\n`);
    expect(r.ids).toEqual([1, ...tok.encode(r.text)]);
    expect(r.ids).not.toContain(32001);
    expect(r.images).toEqual([]);
  });

  it("a later turn, plain and with a new image", () => {
    const plain = renderPrompt(tok, { turns: [user(Q1, { image: "a" }), assistant(A1), user(Q2)] });
    expect(plain.turns[1].text).toBe(`\n\n### Instruction:\n${Q2}\n\n### Response:\n`);
    // No <image> beside it: sentencepiece's dummy "▁" stands alone before the newlines.
    expect(plain.turns[1].ids.slice(0, 6)).toEqual([1, 29871, 13, 13, 2277, 29937]);

    const withImage = renderPrompt(tok, { turns: [user(Q1, { image: "a" }), assistant(A1), user(Q2, { image: "b" })] });
    const later = withImage.turns[1];
    expect(later.text).toBe(`\n\n### Image:\n<image>\n\n### Instruction:\n${Q2}\n\n### Response:\n`);
    expect(later.ids.slice(0, 11)).toEqual([1, 29871, 13, 13, 2277, 29937, 7084, 29901, 32001, 835, 2799]);
    expect(withImage.images.map(({ image, turn }) => [image, turn])).toEqual([
      ["a", 0],
      ["b", 1],
    ]);
    for (const { index } of withImage.images) expect(withImage.ids[index]).toBe(32001);
    expect(withImage.ids.filter((id) => id === 32001)).toHaveLength(2);
  });

  it("options become the Input section before the Response", () => {
    const r = renderPrompt(tok, { turns: [user("Which colour?", { image: "x", options: ["red", "green", "blue"] })] });
    expect(r.text).toBe(
      `${TEMPLATE}\n\n### Image:\n<image>\n\n### Instruction:\nWhich colour?\n\n### Input:\nred, green, blue\n\n### Response:\n`,
    );
    expect(renderPrompt(tok, { turns: [user("Q", { options: [] })] }).text).not.toContain("### Input:");
  });

  it("system text replaces the TEMPLATE preamble", () => {
    const r = renderPrompt(tok, { system: "You are terse.", turns: [user(Q1)] });
    expect(r.text).toBe(`You are terse.\n\n### Instruction:\n${Q1}\n\n### Response:\n`);
  });
});

describe("renderPrompt: answered turns", () => {
  it("appends the answer and EOS, tokenized as training's instruction + answer string was", () => {
    const r = renderPrompt(tok, { turns: [user(Q1, { image: "a" }), assistant(A1), user(Q2)] });
    const first = r.turns[0];
    expect(first.answered).toBe(true);
    expect(first.text).toBe(`${TEMPLATE}\n\n### Image:\n<image>\n\n### Instruction:\n${Q1}\n\n### Response:\n${A1}`);
    const afterImage = `### Instruction:\n${Q1}\n\n### Response:\n`;
    expect(first.ids).toEqual([
      1,
      ...tok.encode(`${TEMPLATE}\n\n### Image:`),
      32001,
      ...tok.encode(afterImage + A1),
      2,
    ]);
    expect(pieces(first.ids.slice(-3))).toEqual(["\u2581mat", ".", "</s>"]);
    expect(r.text).toBe(r.turns.map((t) => t.text).join(""));
    expect(r.ids).toEqual([...r.turns[0].ids, ...r.turns[1].ids]);
  });

  it("never adds a turn's ids to earlier turns' (prefix-stable)", () => {
    const script: ConversationTurn[] = [
      user(Q1, { image: "a" }),
      assistant(A1),
      user(Q2),
      assistant("  Black, with a white tail.\nMostly."),
      user("And the mat? 🧶", { image: "b", options: ["red", "blue"] }),
      assistant("Red 中文"),
      user("Thanks!"),
    ];
    let previous = renderPrompt(tok, { turns: script.slice(0, 1) });
    for (let n = 3; n <= script.length; n += 2) {
      const next = renderPrompt(tok, { turns: script.slice(0, n) });
      // Answering the last exchange only appends to it; earlier exchanges are untouched.
      expect(next.ids.slice(0, previous.ids.length)).toEqual(previous.ids);
      expect(next.turns.slice(0, -2)).toEqual(previous.turns.slice(0, -1));
      expect(next.images.slice(0, previous.images.length)).toEqual(previous.images);
      previous = next;
    }
  });
});

describe("renderPrompt: user text stays text", () => {
  it("does not turn a typed <image> or </s> into special ids", () => {
    const r = renderPrompt(tok, { turns: [user("Is <image> a tag? </s><|endofchunk|><s>")] });
    expect(r.ids.filter((id) => id === 32001 || id === 32000 || id === 2)).toEqual([]);
    expect(r.ids.filter((id) => id === 1)).toEqual([1]);
    expect(r.images).toEqual([]);
  });
});
