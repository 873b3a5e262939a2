// The tokenizer's public shape and the SentencePiece model data it is built from.
// A SentencePieceModel is the in-memory form of a `tokenizer.model` (ModelProto); the built-in
// LLaMA vocab is turned into the same form so both go through one BPE implementation.

/** SentencePiece `ModelProto.SentencePiece.Type` values, as in sentencepiece_model.proto. */
export const PieceType = {
  NORMAL: 1,
  UNKNOWN: 2,
  CONTROL: 3,
  USER_DEFINED: 4,
  UNUSED: 5,
  BYTE: 6,
} as const;
export type PieceType = (typeof PieceType)[keyof typeof PieceType];

export interface SentencePiece {
  piece: string;
  score: number;
  type: PieceType;
}

/** The parts of a SentencePiece BPE model that encoding and decoding depend on. */
export interface SentencePieceModel {
  pieces: SentencePiece[];
  /** NormalizerSpec.add_dummy_prefix: prepend "▁" to non-empty input (LLaMA: true). */
  addDummyPrefix: boolean;
  /** NormalizerSpec.remove_extra_whitespaces: trim and collapse spaces (LLaMA: false). */
  removeExtraWhitespaces: boolean;
  /** NormalizerSpec.escape_whitespaces: " " → "▁" (LLaMA: true). */
  escapeWhitespaces: boolean;
}

/** Ids the runtime treats specially. The last three are Flamingo's added tokens. */
export interface SpecialIds {
  unk: number;
  bos: number;
  eos: number;
  endOfChunk: number;
  image: number;
  pad: number;
}

export interface EncodeOptions {
  /**
   * Prepend SentencePiece's dummy "▁" (default true, as `sp.encode` does). False tokenizes text
   * that continues a string already tokenized, e.g. an answer after "### Response:\n".
   */
  addDummyPrefix?: boolean;
}

export interface Tokenizer {
  /** Base vocab + the 3 Flamingo tokens (32003 for LLaMA). */
  readonly vocabSize: number;
  readonly special: SpecialIds;
  /**
   * Plain text → ids. Never adds BOS/EOS and never yields a control or added special id: text
   * such as "<image>" or "</s>" is tokenized as ordinary characters.
   */
  encode(text: string, options?: EncodeOptions): number[];
  /**
   * A lower bound on `encode(text).length`, in one pass over the characters without tokenizing:
   * lets a caller refuse text far past a token budget before paying for BPE.
   */
  minTokens(text: string): number;
  /** Ids → text, SentencePiece rules: special ids are invisible, the first piece's "▁" dropped. */
  decode(ids: readonly number[]): string;
  /** The vocab string of an id ("▁Hello", "<0x0A>", "<image>"); throws on an unknown id. */
  idToPiece(id: number): string;
  isSpecial(id: number): boolean;
  /**
   * The UTF-8 bytes an id stands for on its own ("▁" as a space, a byte-fallback id its one
   * byte, a special id none): what logprobs report as a token's `bytes`.
   */
  tokenBytes(id: number): Uint8Array;
  /** A fresh incremental decoder; its pushes + flush concatenate to `decode` of the same ids. */
  createStreamDecoder(): StreamDecoder;
}

export interface StreamDecoder {
  /** Feeds one id; returns only the text it completes (never half a UTF-8 character). */
  push(id: number): string;
  /** Ends the stream: returns what is still held back. */
  flush(): string;
}
