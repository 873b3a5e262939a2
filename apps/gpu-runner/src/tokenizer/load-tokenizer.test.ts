// Loading a user's tokenizer.model: the test writes a tiny SentencePiece ModelProto itself
// (protobuf wire format by hand) and checks it tokenizes through the same BPE as the built-in.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadTokenizer } from "./load-tokenizer.js";
import { PieceType } from "./types.js";

// --- a minimal protobuf writer, just enough for ModelProto ---
function varint(n: number): number[] {
  const out: number[] = [];
  while (n > 127) {
    out.push((n % 128) | 128);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}
const tag = (field: number, wire: number) => varint(field * 8 + wire);
const int = (field: number, v: number) => [...tag(field, 0), ...varint(v)];
const bytes = (field: number, b: number[]) => [...tag(field, 2), ...varint(b.length), ...b];
const str = (field: number, s: string) => bytes(field, [...new TextEncoder().encode(s)]);
function float(field: number, x: number): number[] {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setFloat32(0, x, true);
  return [...tag(field, 5), ...b];
}

type Piece = [string, number, number];
const BYTE_PIECES: Piece[] = Array.from({ length: 256 }, (_, b) => [
  `<0x${b.toString(16).toUpperCase().padStart(2, "0")}>`,
  0,
  PieceType.BYTE,
]);
// A "hello world" vocab whose scores favour "▁hello" over "▁he" + "llo".
const PIECES: Piece[] = [
  ["<unk>", 0, PieceType.UNKNOWN],
  ["<s>", 0, PieceType.CONTROL],
  ["</s>", 0, PieceType.CONTROL],
  ...BYTE_PIECES,
  ["\u2581h", -1, PieceType.NORMAL],
  ["ll", -2, PieceType.NORMAL],
  ["\u2581he", -3, PieceType.NORMAL],
  ["\u2581hell", -4, PieceType.NORMAL],
  ["\u2581hello", -5, PieceType.NORMAL],
  ["\u2581w", -6, PieceType.NORMAL],
  ["or", -7, PieceType.NORMAL],
  ["\u2581wor", -8, PieceType.NORMAL],
  ["\u2581world", -9, PieceType.NORMAL],
  ["ld", -10, PieceType.NORMAL],
  ...[..."\u2581helowrd<>ima/gs"].map((c, i): Piece => [c, -100 - i, PieceType.NORMAL]),
];

function modelProto(opts: { modelType?: number; charsmap?: boolean } = {}): Uint8Array {
  const pieces = PIECES.flatMap(([p, score, type]) => bytes(1, [...str(1, p), ...float(2, score), ...int(3, type)]));
  const trainer = bytes(2, [...int(3, opts.modelType ?? 2), ...int(35, 1), ...str(10, "unused string field")]);
  const normalizer = bytes(3, [
    ...str(1, opts.charsmap ? "nmt_nfkc" : "identity"),
    ...(opts.charsmap ? bytes(2, [1, 2, 3]) : []),
    ...int(3, 1),
    ...int(4, 0),
    ...int(5, 1),
  ]);
  const unknownField = float(99, 1.5); // readers must skip fields they don't know
  return Uint8Array.from([...pieces, ...trainer, ...normalizer, ...unknownField]);
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "mmgpt-tokenizer-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function withModel(name: string, proto: Uint8Array): Promise<string> {
  const d = join(dir, name);
  await rm(d, { recursive: true, force: true });
  await mkdir(d);
  await writeFile(join(d, "tokenizer.model"), proto);
  return d;
}

describe("loadTokenizer", () => {
  it("loads a tokenizer.model and encodes with its pieces and scores", async () => {
    const tok = await loadTokenizer(await withModel("ok", modelProto()));
    const id = (p: string) => PIECES.findIndex(([q]) => q === p);
    expect(tok.encode("hello world")).toEqual([id("\u2581hello"), id("\u2581world")]);
    expect(tok.decode(tok.encode("hello world"))).toBe("hello world");
    // "é" is not in this vocab: UTF-8 byte pieces.
    expect(tok.encode("hé").map((i) => tok.idToPiece(i))).toEqual(["\u2581h", "<0xC3>", "<0xA9>"]);
    expect(tok.decode(tok.encode("hé"))).toBe("hé");
  });

  it("puts Flamingo's tokens right after the model's pieces and never encodes them from text", async () => {
    const tok = await loadTokenizer(await withModel("specials", modelProto()));
    const n = PIECES.length;
    expect(tok.vocabSize).toBe(n + 3);
    expect(tok.special).toEqual({ unk: 0, bos: 1, eos: 2, endOfChunk: n, image: n + 1, pad: n + 2 });
    const ids = tok.encode("<image></s>");
    expect(ids.every((i) => i >= 3 && i < n)).toBe(true);
    expect(tok.decode(ids)).toBe("<image></s>");
  });

  it("falls back to the built-in LLaMA vocab when the dir has no tokenizer.model", async () => {
    const tok = await loadTokenizer(dir);
    expect(tok.vocabSize).toBe(32003);
    expect(tok.encode("Hello world")).toEqual([15043, 3186]);
  });

  it("refuses models it would tokenize differently from sentencepiece, naming the file", async () => {
    const unigram = await withModel("unigram", modelProto({ modelType: 1 }));
    await expect(loadTokenizer(unigram)).rejects.toThrow(/tokenizer\.model: .*UNIGRAM model; only BPE/);
    const nfkc = await withModel("nfkc", modelProto({ charsmap: true }));
    await expect(loadTokenizer(nfkc)).rejects.toThrow(/character map/);
    const truncated = await withModel("truncated", modelProto().subarray(0, 40));
    await expect(loadTokenizer(truncated)).rejects.toThrow(/truncated/);
  });
});
