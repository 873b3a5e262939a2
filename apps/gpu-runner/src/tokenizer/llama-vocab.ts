// The built-in LLaMA-1/2 SentencePiece model, rebuilt from the vocab that llama-tokenizer-js
// ships (HF's tokenizer.json vocab, in id order). Only the vocab is taken from it: encoding goes
// through our SentencePieceBpe, which follows sentencepiece where that package differs.
import { PieceType, type SentencePieceModel } from "./types.js";

/**
 * LLaMA's tokenizer.model scores, as far as BPE can observe them (only their order matters):
 * ids 0–2 are <unk>/<s>/</s>, 3–258 the byte pieces, then normal pieces with scores falling
 * as ids rise — except the 15 whitespace runs "▁▁" … "▁"×16, which share one lowest score
 * (-1e9) so they merge last and, being tied, leftmost first. The evidence is HF's merge list,
 * sorted by score: strictly by result id, then those 15 pieces last, in its tie (loop) order.
 * `llama-vocab.test.ts` checks this rule against that list.
 */
export function llamaScore(id: number, piece: string): number {
  if (id < 259) return 0;
  return /^\u2581{2,}$/.test(piece) ? -1e9 : -(id - 259);
}

function llamaType(id: number): SentencePieceModel["pieces"][number]["type"] {
  if (id === 0) return PieceType.UNKNOWN;
  if (id < 3) return PieceType.CONTROL;
  if (id < 259) return PieceType.BYTE;
  return PieceType.NORMAL;
}

let cached: SentencePieceModel | undefined;

/** LLaMA's normalizer: identity, dummy prefix on, whitespace escaped, runs of spaces kept. */
export async function llamaModel(): Promise<SentencePieceModel> {
  if (cached) return cached;
  // Loaded on demand: the package decodes ~650 KB of base64 when first imported.
  const { default: llama } = await import("llama-tokenizer-js");
  const vocab = llama.vocabById;
  if (vocab.length !== 32000 || vocab[1] !== "<s>" || vocab[13] !== "<0x0A>" || vocab[29871] !== "\u2581") {
    throw new Error("tokenizer: llama-tokenizer-js does not hold the expected LLaMA vocab");
  }
  cached = {
    pieces: vocab.map((piece, id) => ({ piece, score: llamaScore(id, piece), type: llamaType(id) })),
    addDummyPrefix: true,
    removeExtraWhitespaces: false,
    escapeWhitespaces: true,
  };
  return cached;
}
