// Reads a SentencePiece `tokenizer.model` (a serialized ModelProto) without a protobuf
// dependency: only the fields tokenization depends on are decoded, the rest skipped by wire type.
// Field numbers are those of sentencepiece_model.proto.
import { PieceType, type SentencePieceModel } from "./types.js";

const MODEL_TYPES: Record<number, string> = { 1: "UNIGRAM", 2: "BPE", 3: "WORD", 4: "CHAR" };

/** Minimal proto2 wire reader over one message's bytes. */
class Wire {
  private pos = 0;
  constructor(private readonly buf: Uint8Array) {}

  get done(): boolean {
    return this.pos >= this.buf.length;
  }

  varint(): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.buf.length) throw new Error("tokenizer.model: truncated varint");
      const b = this.buf[this.pos++];
      result += (b & 0x7f) * scale; // arithmetic, not bit ops: values may exceed 32 bits
      if ((b & 0x80) === 0) return result;
      scale *= 128;
    }
    throw new Error("tokenizer.model: malformed varint");
  }

  bytes(n: number): Uint8Array {
    if (this.pos + n > this.buf.length) throw new Error("tokenizer.model: truncated field");
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** Next field as [number, wire type]; the value is then read with the matching method. */
  tag(): [number, number] {
    const t = this.varint();
    return [Math.floor(t / 8), t % 8];
  }

  lengthDelimited(): Uint8Array {
    return this.bytes(this.varint());
  }

  float(): number {
    const b = this.bytes(4);
    return new DataView(b.buffer, b.byteOffset, 4).getFloat32(0, true);
  }

  skip(wireType: number): void {
    if (wireType === 0) this.varint();
    else if (wireType === 1) this.bytes(8);
    else if (wireType === 2) this.lengthDelimited();
    else if (wireType === 5) this.bytes(4);
    else throw new Error(`tokenizer.model: unsupported wire type ${wireType}`);
  }
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

function readPiece(buf: Uint8Array): SentencePieceModel["pieces"][number] {
  const w = new Wire(buf);
  const out = { piece: "", score: 0, type: PieceType.NORMAL as PieceType };
  while (!w.done) {
    const [field, wt] = w.tag();
    if (field === 1 && wt === 2) out.piece = utf8.decode(w.lengthDelimited());
    else if (field === 2 && wt === 5) out.score = w.float();
    else if (field === 3 && wt === 0) {
      const type = w.varint();
      if (type < 1 || type > 6) throw new Error(`tokenizer.model: piece type ${type} is not a SentencePiece type`);
      out.type = type as PieceType;
    } else w.skip(wt);
  }
  return out;
}

/**
 * Parses ModelProto { pieces = 1; trainer_spec = 2 { model_type = 3 };
 * normalizer_spec = 3 { precompiled_charsmap = 2; add_dummy_prefix = 3;
 * remove_extra_whitespaces = 4; escape_whitespaces = 5 } }.
 * Refuses what this runtime would tokenize differently from sentencepiece rather than guessing:
 * non-BPE models and normalizers with a character map (e.g. nmt_nfkc).
 */
export function parseModelProto(bytes: Uint8Array): SentencePieceModel {
  const pieces: SentencePieceModel["pieces"] = [];
  let modelType = 1; // proto default: UNIGRAM
  let charsmapBytes = 0;
  // proto2 defaults of NormalizerSpec
  const norm = { addDummyPrefix: true, removeExtraWhitespaces: true, escapeWhitespaces: true };
  const w = new Wire(bytes);
  while (!w.done) {
    const [field, wt] = w.tag();
    if (field === 1 && wt === 2) pieces.push(readPiece(w.lengthDelimited()));
    else if (field === 2 && wt === 2) {
      const t = new Wire(w.lengthDelimited());
      while (!t.done) {
        const [f, twt] = t.tag();
        if (f === 3 && twt === 0) modelType = t.varint();
        else t.skip(twt);
      }
    } else if (field === 3 && wt === 2) {
      const n = new Wire(w.lengthDelimited());
      while (!n.done) {
        const [f, nwt] = n.tag();
        if (f === 2 && nwt === 2) charsmapBytes = n.lengthDelimited().length;
        else if (f === 3 && nwt === 0) norm.addDummyPrefix = n.varint() !== 0;
        else if (f === 4 && nwt === 0) norm.removeExtraWhitespaces = n.varint() !== 0;
        else if (f === 5 && nwt === 0) norm.escapeWhitespaces = n.varint() !== 0;
        else n.skip(nwt);
      }
    } else w.skip(wt);
  }
  if (modelType !== 2) {
    throw new Error(`tokenizer.model: a ${MODEL_TYPES[modelType] ?? modelType} model; only BPE models are supported`);
  }
  if (charsmapBytes > 0) {
    throw new Error("tokenizer.model: its normalizer has a character map; only the identity normalizer is supported");
  }
  if (pieces.length === 0) throw new Error("tokenizer.model: no pieces");
  return { pieces, ...norm };
}
