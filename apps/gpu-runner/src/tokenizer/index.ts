// The runner's tokenizer: LLaMA SentencePiece BPE + Flamingo's added tokens, whole-sequence and
// streaming decode, and loading of a user's tokenizer.model.

export { llamaModel } from "./llama-vocab.js";
export { loadTokenizer } from "./load-tokenizer.js";
export { parseModelProto } from "./model-proto.js";
export { SentencePieceBpe } from "./sentencepiece-bpe.js";
export { ADDED_TOKENS, SentencePieceTokenizer } from "./sentencepiece-tokenizer.js";
export { type PieceKind, type PieceKinds, TokenStreamDecoder } from "./stream-decoder.js";
export {
  type EncodeOptions,
  PieceType,
  type SentencePiece,
  type SentencePieceModel,
  type SpecialIds,
  type StreamDecoder,
  type Tokenizer,
} from "./types.js";
