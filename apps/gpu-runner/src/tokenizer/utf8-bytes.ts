// Turns byte-fallback tokens (<0xNN>) back into text one byte at a time, the way
// SentencePiece's decoder does: a complete, valid UTF-8 character is emitted as soon as its last
// byte arrives; every byte that cannot be part of one becomes U+FFFD (one per byte, not
// WHATWG's one per maximal subpart, which is why TextDecoder is not used here).

const REPLACEMENT = "\uFFFD";

function sequenceLength(lead: number): number {
  if (lead < 0x80) return 1;
  if (lead >= 0xc0 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf7) return 4;
  return 0; // a continuation byte or 0xF8..0xFF cannot start a character
}

const isTrail = (b: number): boolean => (b & 0xc0) === 0x80;

/** Code point of a complete sequence, or -1 when SentencePiece's DecodeUTF8 would reject it. */
function decodeSequence(bytes: readonly number[]): number {
  const n = bytes.length;
  for (let i = 1; i < n; i++) if (!isTrail(bytes[i])) return -1;
  const lead = bytes[0] & (n === 2 ? 0x1f : n === 3 ? 0x0f : 0x07);
  let cp = lead;
  for (let i = 1; i < n; i++) cp = (cp << 6) | (bytes[i] & 0x3f);
  const min = n === 2 ? 0x80 : n === 3 ? 0x800 : 0x10000;
  const valid = cp >= min && (cp < 0xd800 || (cp >= 0xe000 && cp <= 0x10ffff));
  return valid ? cp : -1;
}

export class Utf8Bytes {
  private pending: number[] = [];

  /** Adds one byte; returns the text it completes (possibly ""). */
  push(byte: number): string {
    this.pending.push(byte);
    let out = "";
    while (this.pending.length > 0) {
      const p = this.pending;
      const n = sequenceLength(p[0]);
      if (n === 1) {
        out += String.fromCharCode(p.shift()!);
        continue;
      }
      if (n === 0) {
        p.shift();
        out += REPLACEMENT;
        continue;
      }
      // A byte that cannot continue the sequence makes its lead invalid right away.
      const broken = p.slice(1).some((b) => !isTrail(b));
      if (!broken && p.length < n) break; // wait for the rest of the character
      const cp = broken ? -1 : decodeSequence(p.slice(0, n));
      if (cp < 0) {
        p.shift();
        out += REPLACEMENT;
      } else {
        p.splice(0, n);
        out += String.fromCodePoint(cp);
      }
    }
    return out;
  }

  /** Ends the byte run: an unfinished character is invalid, one U+FFFD per byte. */
  flush(): string {
    const out = REPLACEMENT.repeat(this.pending.length);
    this.pending = [];
    return out;
  }
}
