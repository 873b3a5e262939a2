// SentencePiece BPE encoding (bpe_model.cc semantics) over any SentencePieceModel: the one
// implementation behind both the built-in LLaMA vocab and a user's `tokenizer.model`.
// Text → normalized string → symbols → merges by piece score → ids, with byte fallback.
import { PieceType, type SentencePieceModel } from "./types.js";

const SPACE = "\u2581"; // "▁", SentencePiece's escaped whitespace
const utf8 = new TextEncoder();

interface Sym {
  piece: string;
  prev: number;
  next: number;
  /** User-defined symbols are atomic: they never take part in a merge. */
  freeze: boolean;
}

interface Candidate {
  left: number;
  right: number;
  merged: string;
  score: number;
}

/** The agenda's order: highest score first; equal scores merge the leftmost pair first. */
function before(a: Candidate, b: Candidate): boolean {
  return a.score > b.score || (a.score === b.score && a.left < b.left);
}

/** Binary max-heap of merge candidates (SentencePiece's `agenda`). */
class Agenda {
  private readonly heap: Candidate[] = [];
  get size(): number {
    return this.heap.length;
  }
  push(c: Candidate): void {
    const h = this.heap;
    h.push(c);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(h[i], h[p])) break;
      [h[i], h[p]] = [h[p], h[i]];
      i = p;
    }
  }
  pop(): Candidate {
    const h = this.heap;
    const top = h[0];
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && before(h[l], h[m])) m = l;
        if (r < h.length && before(h[r], h[m])) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]];
        i = m;
      }
    }
    return top;
  }
}

export class SentencePieceBpe {
  /** NORMAL, USER_DEFINED and UNUSED pieces: the only strings text can turn into. */
  private readonly textPieces = new Map<string, number>();
  private readonly userDefined: string[] = [];
  private readonly unused = new Set<number>();
  /** byteIds[b] = id of "<0xBB>"; empty when the model has no byte fallback. */
  readonly byteIds: number[] = [];
  readonly unkId: number;

  constructor(readonly model: SentencePieceModel) {
    let unk = -1;
    model.pieces.forEach(({ piece, type }, id) => {
      if (type === PieceType.NORMAL || type === PieceType.USER_DEFINED || type === PieceType.UNUSED) {
        if (this.textPieces.has(piece)) throw new Error(`tokenizer: piece ${JSON.stringify(piece)} is defined twice`);
        this.textPieces.set(piece, id);
        if (type === PieceType.USER_DEFINED) this.userDefined.push(piece);
        if (type === PieceType.UNUSED) this.unused.add(id);
      } else if (type === PieceType.UNKNOWN) {
        if (unk < 0) unk = id;
      } else if (type === PieceType.BYTE) {
        const m = /^<0x([0-9A-F]{2})>$/.exec(piece);
        if (!m) throw new Error(`tokenizer: byte piece ${JSON.stringify(piece)} is not of the form <0xNN>`);
        this.byteIds[Number.parseInt(m[1], 16)] = id;
      }
    });
    if (unk < 0) throw new Error("tokenizer: the model has no UNKNOWN piece");
    const bytes = this.byteIds.filter((x) => x !== undefined).length;
    if (bytes !== 0 && bytes !== 256) throw new Error(`tokenizer: byte fallback needs 256 byte pieces, found ${bytes}`);
    this.unkId = unk;
    // Longest user-defined symbol wins, as SentencePiece's prefix matcher does.
    this.userDefined.sort((a, b) => b.length - a.length);
  }

  get byteFallback(): boolean {
    return this.byteIds.length === 256;
  }

  /** NormalizerSpec with the identity rule: whitespace handling and the dummy prefix only. */
  normalize(text: string, addDummyPrefix: boolean): string {
    const m = this.model;
    let s = text;
    if (m.removeExtraWhitespaces) s = s.replace(/^ +| +$/g, "").replace(/ {2,}/g, " ");
    if (s === "") return "";
    if (addDummyPrefix && m.addDummyPrefix) s = ` ${s}`;
    return m.escapeWhitespaces ? s.replaceAll(" ", SPACE) : s;
  }

  encode(text: string, addDummyPrefix = true): number[] {
    const normalized = this.normalize(text, addDummyPrefix);
    if (normalized === "") return [];
    const symbols = this.split(normalized);
    const agenda = new Agenda();
    // UNUSED pieces may be merged through but are never emitted: remember how each was made.
    const revMerge = new Map<string, [string, string]>();
    const consider = (left: number, right: number): void => {
      if (left < 0 || right < 0) return;
      const l = symbols[left];
      const r = symbols[right];
      if (l.freeze || r.freeze) return;
      const merged = l.piece + r.piece;
      const id = this.textPieces.get(merged);
      if (id === undefined) return;
      agenda.push({ left, right, merged, score: this.model.pieces[id].score });
      if (this.unused.has(id)) revMerge.set(merged, [l.piece, r.piece]);
    };
    for (let i = 1; i < symbols.length; i++) consider(i - 1, i);

    while (agenda.size > 0) {
      const top = agenda.pop();
      const l = symbols[top.left];
      const r = symbols[top.right];
      // Stale candidate: one side was merged away or grew since it was queued.
      if (l.piece === "" || r.piece === "" || l.piece + r.piece !== top.merged) continue;
      l.piece = top.merged;
      r.piece = "";
      l.next = r.next;
      if (r.next >= 0) symbols[r.next].prev = top.left;
      consider(l.prev, top.left);
      consider(top.left, l.next);
    }

    const ids: number[] = [];
    for (let i = 0; i >= 0 && i < symbols.length; i = symbols[i].next) this.emit(symbols[i].piece, revMerge, ids);
    return ids;
  }

  /** Splits into user-defined symbols (longest match) and single code points. */
  private split(normalized: string): Sym[] {
    const symbols: Sym[] = [];
    let pos = 0;
    while (pos < normalized.length) {
      let piece = this.userDefined.find((u) => normalized.startsWith(u, pos));
      const freeze = piece !== undefined;
      if (piece === undefined) piece = String.fromCodePoint(normalized.codePointAt(pos)!);
      const index = symbols.length;
      symbols.push({ piece, prev: index - 1, next: -1, freeze });
      pos += piece.length;
      if (pos < normalized.length) symbols[index].next = index + 1;
    }
    return symbols;
  }

  private emit(piece: string, revMerge: Map<string, [string, string]>, out: number[]): void {
    const id = this.textPieces.get(piece);
    if (id !== undefined && this.unused.has(id)) {
      const parts = revMerge.get(piece);
      if (parts) {
        this.emit(parts[0], revMerge, out);
        this.emit(parts[1], revMerge, out);
        return;
      }
    }
    if (id !== undefined) {
      out.push(id);
    } else if (this.byteFallback) {
      // Not in the vocab: its UTF-8 bytes as <0xNN> pieces, as SentencePiece's byte_fallback does.
      for (const b of utf8.encode(piece)) out.push(this.byteIds[b]);
    } else {
      out.push(this.unkId);
    }
  }
}
