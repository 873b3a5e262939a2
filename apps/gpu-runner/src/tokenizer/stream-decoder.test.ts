// Streaming detokenization as a client sees it: ids arrive one by one and each step returns
// only finished text, never half a character, adding up to the whole-sequence decode.
import { beforeAll, describe, expect, it } from "vitest";
import { loadTokenizer } from "./load-tokenizer.js";
import type { SentencePieceTokenizer } from "./sentencepiece-tokenizer.js";

let tok: SentencePieceTokenizer;
beforeAll(async () => {
  tok = await loadTokenizer();
});

function stream(ids: number[]): string[] {
  const d = tok.createStreamDecoder();
  const chunks = ids.map((id) => d.push(id));
  chunks.push(d.flush());
  return chunks;
}

const TEXTS = [
  "Hello world",
  "  two leading spaces",
  "🦙 llamas, 👍🏽 and 👨‍👩‍👧",
  "中文分词测试。日本語のテキスト、한국어 문장 Ꙋ",
  "tabs\tand\nnewlines\n\n  indented",
  "naïve café — ½ ≠ ∞",
];

describe("TokenStreamDecoder", () => {
  it.each(TEXTS)("streams %j without U+FFFD and adds up to decode()", (text) => {
    const ids = tok.encode(text);
    const chunks = stream(ids);
    for (const c of chunks) expect(c).not.toContain("\uFFFD");
    expect(chunks.join("")).toBe(tok.decode(ids));
    expect(chunks.join("")).toBe(text);
  });

  it("holds back a byte-fallback character until its last byte arrives", () => {
    // "🦙" = ▁ + <0xF0> <0x9F> <0xA6> <0x99>
    expect(stream(tok.encode("🦙"))).toEqual(["", "", "", "", "🦙", ""]);
    const d = tok.createStreamDecoder();
    expect(d.push(15043)).toBe("Hello");
    expect([0xf0, 0x9f, 0xa6].map((b) => d.push(b + 3))).toEqual(["", "", ""]);
    expect(d.push(0x99 + 3)).toBe("🦙");
  });

  it("applies the leading-space rule once, like decode()", () => {
    expect(stream([15043, 3186])).toEqual(["Hello", " world", ""]);
    expect(stream([29871, 2646, 1327, 287])).toEqual(["", " gra", "bb", "ed", ""]);
    expect(stream([13, 15043])).toEqual(["\n", " Hello", ""]);
  });

  it("emits nothing for special ids and lets them interrupt neither text nor a character", () => {
    const s = tok.special;
    const ids = [s.bos, 15043, s.image, 0xf0 + 3, s.endOfChunk, 0x9f + 3, 0xa6 + 3, 0x99 + 3, s.eos];
    const chunks = stream(ids);
    expect(chunks.join("")).toBe("Hello🦙");
    expect(chunks.join("")).toBe(tok.decode(ids));
    expect(chunks).not.toContain("\uFFFD");
  });

  it("flushes an unfinished character as U+FFFD, one per byte, as decode() does", () => {
    const ids = [15043, 0xf0 + 3, 0x9f + 3];
    expect(stream(ids)).toEqual(["Hello", "", "", "\uFFFD\uFFFD"]);
    expect(tok.decode(ids)).toBe("Hello\uFFFD\uFFFD");
  });

  it("matches a whole-sequence sentencepiece decode for arbitrary ids, valid UTF-8 or not", () => {
    let seed = 12345;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let trial = 0; trial < 300; trial++) {
      // Bias towards byte pieces and specials, where the bookkeeping is.
      const ids = Array.from({ length: 1 + rand(12) }, () =>
        rand(3) === 0 ? 3 + rand(256) : rand(5) === 0 ? [1, 2, 32000, 32001, 32002][rand(5)] : rand(32000),
      );
      const chunks = stream(ids);
      expect(chunks.join("")).toBe(referenceDecode(ids));
      expect(chunks.join("")).toBe(tok.decode(ids));
    }
  });
});

/** sentencepiece's Decode written plainly over the whole sequence, specials removed first. */
function referenceDecode(ids: number[]): string {
  const fatal = new TextDecoder("utf-8", { fatal: true });
  const bytesToText = (bytes: number[]): string => {
    let out = "";
    for (let i = 0; i < bytes.length; ) {
      const b = bytes[i];
      const n = b < 0x80 ? 1 : b >= 0xc0 && b < 0xe0 ? 2 : b >= 0xe0 && b < 0xf0 ? 3 : b >= 0xf0 && b < 0xf8 ? 4 : 0;
      let char = "";
      try {
        if (n > 0 && i + n <= bytes.length) char = fatal.decode(Uint8Array.from(bytes.slice(i, i + n)));
      } catch {}
      out += char === "" ? "\uFFFD" : char;
      i += char === "" ? 1 : n;
    }
    return out;
  };
  let text = "";
  let bytes: number[] = [];
  let isBosWs = true;
  let bosWsSeen = false;
  for (const id of ids.filter((i) => !tok.isSpecial(i))) {
    const piece = tok.idToPiece(id);
    if (id >= 3 && id < 259) {
      bytes.push(Number.parseInt(piece.slice(3, 5), 16));
      continue;
    }
    text += bytesToText(bytes);
    bytes = [];
    if (bosWsSeen || text !== "") isBosWs = false;
    bosWsSeen = isBosWs && piece.startsWith("\u2581");
    text += (bosWsSeen ? piece.slice(1) : piece).replaceAll("\u2581", " ");
  }
  return text + bytesToText(bytes);
}
