// Incremental detokenization: ids in one at a time, only newly completed text out. The whole-
// sequence `decode` is this decoder run to the end, so concatenating every `push` result and
// the final `flush` equals `decode(allIds)` by construction.
import { Utf8Bytes } from "./utf8-bytes.js";

export const SPACE = "\u2581";

/** How an id decodes: skipped, one raw UTF-8 byte (<0xNN>), or vocab text with "▁" for spaces. */
export type PieceKind = { kind: "special" } | { kind: "byte"; byte: number } | { kind: "text"; piece: string };

export interface PieceKinds {
  pieceKind(id: number): PieceKind;
}

/**
 * SentencePiece's Decode loop made incremental, over the ids that HF's
 * `decode(skip_special_tokens=True)` would keep:
 * - special ids (unk, BOS/EOS, other CONTROL pieces, the Flamingo tokens) are skipped outright,
 *   as if absent, so they neither split a byte run nor reset the leading-space rule;
 * - runs of byte pieces are held until they complete a UTF-8 character;
 * - the first text piece loses one leading "▁" (the dummy prefix); once any text has been
 *   produced, or that "▁" consumed, no later piece is stripped.
 */
export class TokenStreamDecoder {
  private readonly bytes = new Utf8Bytes();
  private atStart = true; // SentencePiece's is_bos_ws
  private prefixConsumed = false; // bos_ws_seen
  private producedText = false; // !text.empty()

  constructor(private readonly pieces: PieceKinds) {}

  push(id: number): string {
    const p = this.pieces.pieceKind(id);
    if (p.kind === "special") return "";
    if (p.kind === "byte") return this.produced(this.bytes.push(p.byte));
    const pending = this.produced(this.bytes.flush());
    if (this.prefixConsumed || this.producedText) this.atStart = false;
    let piece = p.piece;
    this.prefixConsumed = false;
    if (this.atStart && piece.startsWith(SPACE)) {
      piece = piece.slice(SPACE.length);
      this.prefixConsumed = true;
    }
    return pending + this.produced(piece.replaceAll(SPACE, " "));
  }

  /** Text still held back (an unfinished UTF-8 character, as U+FFFD). Call once at the end. */
  flush(): string {
    return this.produced(this.bytes.flush());
  }

  private produced(text: string): string {
    if (text !== "") this.producedText = true;
    return text;
  }
}
