// SentencePiece BPE rules on tiny hand-made models, where each rule is visible in isolation.
import { describe, expect, it } from "vitest";
import { SentencePieceBpe } from "./sentencepiece-bpe.js";
import { PieceType, type SentencePieceModel } from "./types.js";

const { NORMAL, UNKNOWN, CONTROL, USER_DEFINED, UNUSED, BYTE } = PieceType;

function model(
  pieces: Array<[string, number, PieceType?]>,
  opts: Partial<Omit<SentencePieceModel, "pieces">> = {},
): SentencePieceModel {
  return {
    pieces: [
      { piece: "<unk>", score: 0, type: UNKNOWN },
      { piece: "<s>", score: 0, type: CONTROL },
      { piece: "</s>", score: 0, type: CONTROL },
      ...pieces.map(([piece, score, type]) => ({ piece, score, type: type ?? NORMAL })),
    ],
    addDummyPrefix: false,
    removeExtraWhitespaces: false,
    escapeWhitespaces: true,
    ...opts,
  };
}

/** Encodes and returns piece strings, which read better than ids. */
function pieces(m: SentencePieceModel, text: string): string[] {
  return new SentencePieceBpe(m).encode(text).map((id) => m.pieces[id].piece);
}

describe("SentencePieceBpe", () => {
  it("merges the pair whose result has the highest score, whatever its id", () => {
    const base: Array<[string, number]> = [
      ["a", -10],
      ["b", -10],
      ["c", -10],
    ];
    expect(pieces(model([...base, ["ab", -5], ["bc", -1]]), "abc")).toEqual(["a", "bc"]);
    expect(pieces(model([...base, ["ab", -1], ["bc", -5]]), "abc")).toEqual(["ab", "c"]);
  });

  it("breaks score ties by merging the leftmost pair first", () => {
    expect(
      pieces(
        model([
          ["a", -10],
          ["aa", -1],
        ]),
        "aaa",
      ),
    ).toEqual(["aa", "a"]);
  });

  it("prepends the dummy prefix and escapes spaces when the model says so", () => {
    const m = model(
      [
        ["\u2581", -10],
        ["h", -10],
        ["i", -10],
        ["\u2581h", -2],
        ["\u2581hi", -1],
      ],
      { addDummyPrefix: true },
    );
    expect(pieces(m, "hi hi")).toEqual(["\u2581hi", "\u2581hi"]);
    expect(new SentencePieceBpe(m).encode("hi", false).map((id) => m.pieces[id].piece)).toEqual(["h", "i"]);
    expect(new SentencePieceBpe(m).encode("")).toEqual([]);
  });

  it("removes extra whitespace only when the normalizer asks for it", () => {
    const m = model(
      [
        ["\u2581", -10],
        ["x", -10],
      ],
      { addDummyPrefix: true, removeExtraWhitespaces: true },
    );
    expect(pieces(m, "  x   x  ")).toEqual(["\u2581", "x", "\u2581", "x"]);
    expect(new SentencePieceBpe(m).encode("   ")).toEqual([]);
  });

  it("keeps user-defined symbols whole and out of merges", () => {
    const m = model([
      ["<", -10],
      ["t", -10],
      [">", -10],
      ["x", -10],
      ["x<", -1],
      ["<t>", 0, USER_DEFINED],
    ]);
    expect(pieces(m, "x<t>x")).toEqual(["x", "<t>", "x"]);
  });

  it("merges through an UNUSED piece but never emits it", () => {
    const m = model([
      ["a", -10],
      ["b", -10],
      ["c", -10],
      ["ab", -1, UNUSED],
      ["abc", -2],
    ]);
    expect(pieces(m, "abc")).toEqual(["abc"]);
    expect(pieces(m, "ab")).toEqual(["a", "b"]);
  });

  it("never turns text into a control piece", () => {
    const m = model([
      ["<", -10],
      ["s", -10],
      [">", -10],
      ["<s", -1],
    ]);
    expect(pieces(m, "<s>")).toEqual(["<s", ">"]);
  });

  it("falls back to bytes for unknown characters when the model has byte pieces, else to <unk>", () => {
    const bytes = Array.from({ length: 256 }, (_, b): [string, number, PieceType] => [
      `<0x${b.toString(16).toUpperCase().padStart(2, "0")}>`,
      0,
      BYTE,
    ]);
    const withBytes = model([...bytes, ["a", -10]]);
    expect(pieces(withBytes, "a€")).toEqual(["a", "<0xE2>", "<0x82>", "<0xAC>"]);
    expect(pieces(model([["a", -10]]), "a€")).toEqual(["a", "<unk>"]);
  });

  it("rejects a model without an unknown piece or with a partial byte set", () => {
    expect(() => new SentencePieceBpe({ ...model([]), pieces: [{ piece: "a", score: 0, type: NORMAL }] })).toThrow(
      /UNKNOWN/,
    );
    expect(() => new SentencePieceBpe(model([["<0x00>", 0, BYTE]]))).toThrow(/256 byte pieces/);
  });
});
