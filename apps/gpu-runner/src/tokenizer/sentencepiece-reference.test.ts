// Our BPE and decoder against real sentencepiece (0.1.97) running the same vocab and scores:
// fixtures/sentencepiece-0.1.97.json was produced by fixtures/make-sentencepiece-reference.py.
// This pins the algorithm (merge order, ties, byte fallback, decode rules), not LLaMA's scores.
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { loadTokenizer } from "./load-tokenizer.js";
import type { SentencePieceTokenizer } from "./sentencepiece-tokenizer.js";

const reference = JSON.parse(
  readFileSync(new URL("./fixtures/sentencepiece-0.1.97.json", import.meta.url), "utf8"),
) as {
  encode: Array<[string, number[]]>;
  decode: Array<[number[], string]>;
};

let tok: SentencePieceTokenizer;
beforeAll(async () => {
  tok = await loadTokenizer();
});

describe("agrees with sentencepiece", () => {
  it("encodes every reference text to the same ids", () => {
    const mismatches = reference.encode.filter(
      ([text, ids]) => JSON.stringify(tok.encode(text)) !== JSON.stringify(ids),
    );
    expect(mismatches).toEqual([]);
    expect(reference.encode.length).toBeGreaterThan(50);
  });

  it("decodes reference id sequences to the same text", () => {
    // The ids hold no special tokens except <s>, which both sides render as nothing.
    for (const [ids, text] of reference.decode) expect(tok.decode(ids)).toBe(text);
  });

  it("replaces each byte of a broken UTF-8 sequence with its own U+FFFD, as sentencepiece does", () => {
    expect(tok.decode([0xe4 + 3, 0xb8 + 3])).toBe("\uFFFD\uFFFD");
    expect(tok.decode([0xe4 + 3, 0x41 + 3])).toBe("\uFFFDA");
  });
});
