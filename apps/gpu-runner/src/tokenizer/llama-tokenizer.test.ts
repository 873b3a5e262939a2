// The built-in LLaMA tokenizer against known LLaMA encodings, including the cases
// llama-tokenizer-js verified against the reference tokenizer (read from its own source).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { runInNewContext } from "node:vm";
import llama from "llama-tokenizer-js";
import { beforeAll, describe, expect, it } from "vitest";
import { llamaScore } from "./llama-vocab.js";
import { loadTokenizer } from "./load-tokenizer.js";
import type { SentencePieceTokenizer } from "./sentencepiece-tokenizer.js";

let tok: SentencePieceTokenizer;
beforeAll(async () => {
  tok = await loadTokenizer();
});

/** `testCase("text", [1, ids…])` calls in llama-tokenizer-js, as [text, ids without BOS]. */
function packageFixtures(): Array<[string, number[]]> {
  const path = createRequire(import.meta.url).resolve("llama-tokenizer-js");
  const src = readFileSync(path, "utf8");
  const re = /testCase\(\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')\s*,\s*(\[[\d,\s]*\])\s*\)/g;
  const out: Array<[string, number[]]> = [];
  for (const m of src.matchAll(re)) {
    // Both groups are plain JS literals (a string, an array of numbers).
    const ids = runInNewContext(m[2]) as number[];
    out.push([runInNewContext(m[1]) as string, ids.slice(1)]);
  }
  return out;
}

describe("LLaMA encodings", () => {
  it("encodes 'Hello world' as LLaMA does, without BOS", () => {
    expect(tok.encode("Hello world")).toEqual([15043, 3186]);
  });

  const fixtures = packageFixtures();
  it("finds the package's verified cases", () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(12);
  });
  it.each(fixtures.map(([text, ids]) => [JSON.stringify(text).slice(0, 40), text, ids]))(
    "encodes %s as the reference tokenizer does",
    (_name, text, ids) => {
      expect(tok.encode(text as string)).toEqual(ids);
      expect(tok.decode(ids as number[])).toBe(text);
    },
  );

  it("gives the dummy prefix its own '▁' before a newline (the well-known 29871)", () => {
    expect(tok.encode("\n\n### Instruction:")).toEqual([29871, 13, 13, 2277, 29937, 2799, 4080, 29901]);
    expect(tok.encode("### Instruction:")).toEqual([835, 2799, 4080, 29901]);
  });

  it("continues text without the dummy prefix when asked", () => {
    expect(tok.encode("Hello world", { addDummyPrefix: false })).toEqual([10994, 3186]);
    expect(tok.encode("")).toEqual([]);
  });

  it("falls back to UTF-8 bytes for a character outside the vocab", () => {
    // 🦙 = F0 9F A6 99; byte piece <0xNN> has id 3 + NN.
    expect(tok.encode("🦙")).toEqual([29871, 0xf0 + 3, 0x9f + 3, 0xa6 + 3, 0x99 + 3]);
    expect(tok.idToPiece(0xf0 + 3)).toBe("<0xF0>");
  });

  it("merges by LLaMA's scores: HF's score-sorted merge list agrees with llamaScore", () => {
    // HF lists merges by descending score of the merged piece; ours must never rise along it.
    let prev = Number.POSITIVE_INFINITY;
    let whitespaceRuns = 0;
    const rises: string[] = [];
    for (const key of llama.merges.keys()) {
      const merged = key.replace(" ", "");
      const score = llamaScore(llama.vocabByString.get(merged)!, merged);
      if (score > prev) rises.push(key);
      if (score === -1e9) whitespaceRuns++;
      prev = score;
    }
    expect(rises).toEqual([]);
    expect(whitespaceRuns).toBe(120); // every "▁"×a + "▁"×b = "▁"×(a+b) with a+b ≤ 16
  });
});

describe("user text never becomes a special token", () => {
  it.each(["<image>", "<|endofchunk|>", "<s>", "</s>", "<PAD>", "<unk>", "<0x0A>", "a <image> b </s>"])(
    "%s is ordinary text",
    (text) => {
      const ids = tok.encode(text);
      for (const id of ids) {
        expect(id).toBeGreaterThanOrEqual(259); // no <unk>/<s>/</s>, no byte piece for ASCII
        expect(id).toBeLessThan(32000);
      }
      expect(tok.decode(ids)).toBe(text);
    },
  );
});

describe("round trips", () => {
  it.each([
    ["ASCII", "The quick brown fox jumps over the lazy dog. 1234567890!?"],
    ["unicode", "Ünïcödé façade — naïve ß, ĳ, Ω ≈ π"],
    ["emoji", "llama 🦙, thumbs 👍🏽, family 👨‍👩‍👧 and 🏳️‍🌈"],
    ["CJK", "中文分词测试。日本語のテキスト、한국어 문장"],
    ["whitespace runs", "a    b\t\tc                    d  "],
    ["leading spaces", "   three leading"],
    ["newlines", "line one\nline two\n\n\r\nend\n"],
    ["mixed", "### Instruction:\nWhat is in this image?\n\n### Response:\n"],
  ])("%s", (_name, text) => {
    expect(tok.decode(tok.encode(text))).toBe(text);
  });
});

describe("decode", () => {
  it("drops one leading space of the first piece, as sentencepiece does for a whole sequence", () => {
    expect(tok.decode([15043, 3186])).toBe("Hello world");
    expect(tok.decode([3186])).toBe("world");
    expect(tok.decode([10994, 3186])).toBe("Hello world");
    // "▁" then "▁gra": only the first "▁" is the dummy prefix.
    expect(tok.decode([29871, 2646, 1327, 287])).toBe(" grabbed");
    // text first, then a piece with "▁": the space is real.
    expect(tok.decode([13, 15043])).toBe("\n Hello");
  });

  it("renders special ids as nothing", () => {
    const s = tok.special;
    expect(tok.decode([s.bos, 15043, s.image, 3186, s.endOfChunk, s.eos, s.pad])).toBe("Hello world");
    expect(tok.decode([s.bos, s.image, 15043])).toBe("Hello");
  });

  it("exposes the Flamingo ids and vocab size", () => {
    expect(tok.vocabSize).toBe(32003);
    expect(tok.special).toEqual({ unk: 0, bos: 1, eos: 2, endOfChunk: 32000, image: 32001, pad: 32002 });
    expect([32000, 32001, 32002].map((id) => tok.idToPiece(id))).toEqual(["<|endofchunk|>", "<image>", "<PAD>"]);
    expect(tok.idToPiece(15043)).toBe("\u2581Hello");
    expect(() => tok.idToPiece(32003)).toThrow(RangeError);
  });
});
