// The runtime's Tokenizer: a SentencePiece BPE model plus Flamingo's three added tokens,
// appended after the base vocab the way OpenFlamingo's `add_special_tokens` does
// (<|endofchunk|> = N, <image> = N+1, <PAD> = N+2; N = 32000 for LLaMA → vocab 32003).
import { SentencePieceBpe } from "./sentencepiece-bpe.js";
import { type PieceKind, type PieceKinds, SPACE, TokenStreamDecoder } from "./stream-decoder.js";
import { type EncodeOptions, PieceType, type SentencePieceModel, type SpecialIds, type Tokenizer } from "./types.js";

const utf8 = new TextEncoder();

/** Flamingo's added tokens, in id order after the base vocab. */
export const ADDED_TOKENS = ["<|endofchunk|>", "<image>", "<PAD>"] as const;

export class SentencePieceTokenizer implements Tokenizer, PieceKinds {
  readonly vocabSize: number;
  readonly special: SpecialIds;
  private readonly bpe: SentencePieceBpe;
  private readonly kinds: PieceKind[];
  /** The most UTF-16 units one token stands for (minTokens). */
  private readonly longestPiece: number;

  constructor(readonly model: SentencePieceModel) {
    this.bpe = new SentencePieceBpe(model);
    const base = model.pieces.length;
    this.vocabSize = base + ADDED_TOKENS.length;
    this.special = {
      unk: this.bpe.unkId,
      bos: this.controlId("<s>"),
      eos: this.controlId("</s>"),
      endOfChunk: base,
      image: base + 1,
      pad: base + 2,
    };
    this.kinds = model.pieces.map(({ piece, type }, id): PieceKind => {
      if (type === PieceType.BYTE) return { kind: "byte", byte: this.bpe.byteIds.indexOf(id) };
      if (type === PieceType.CONTROL || type === PieceType.UNKNOWN) return { kind: "special" };
      return { kind: "text", piece };
    });
    for (let i = 0; i < ADDED_TOKENS.length; i++) this.kinds.push({ kind: "special" });
    // A text piece covers its own length; a byte piece one byte; an unknown code point up to 2
    // units (a surrogate pair). Special pieces never come from text.
    this.longestPiece = model.pieces.reduce(
      (longest, p) =>
        p.type === PieceType.CONTROL || p.type === PieceType.BYTE ? longest : Math.max(longest, p.piece.length),
      2,
    );
  }

  minTokens(text: string): number {
    // Every character reaches a token, except spaces a model that collapses them may drop.
    let characters = text.length;
    if (this.model.removeExtraWhitespaces) {
      for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 32) characters--;
    }
    return Math.floor(characters / this.longestPiece); // floor: bounds of texts sharing a chunk add up
  }

  encode(text: string, options?: EncodeOptions): number[] {
    return this.bpe.encode(text, options?.addDummyPrefix ?? true);
  }

  decode(ids: readonly number[]): string {
    const decoder = this.createStreamDecoder();
    let text = "";
    for (const id of ids) text += decoder.push(id);
    return text + decoder.flush();
  }

  createStreamDecoder(): TokenStreamDecoder {
    return new TokenStreamDecoder(this);
  }

  idToPiece(id: number): string {
    this.check(id);
    const base = this.model.pieces.length;
    return id < base ? this.model.pieces[id].piece : ADDED_TOKENS[id - base];
  }

  isSpecial(id: number): boolean {
    return this.pieceKind(id).kind === "special";
  }

  tokenBytes(id: number): Uint8Array {
    const p = this.pieceKind(id);
    if (p.kind === "special") return new Uint8Array(0);
    if (p.kind === "byte") return Uint8Array.of(p.byte);
    return utf8.encode(p.piece.replaceAll(SPACE, " "));
  }

  pieceKind(id: number): PieceKind {
    this.check(id);
    return this.kinds[id];
  }

  private check(id: number): void {
    if (!Number.isInteger(id) || id < 0 || id >= this.vocabSize) {
      throw new RangeError(`tokenizer: id ${id} is outside the vocab (0..${this.vocabSize - 1})`);
    }
  }

  private controlId(piece: string): number {
    const id = this.model.pieces.findIndex((p) => p.piece === piece && p.type === PieceType.CONTROL);
    if (id < 0) throw new Error(`tokenizer: the model has no control piece ${piece}`);
    return id;
  }
}
