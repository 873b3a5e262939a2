// Streaming stop-string matching over decoded text: text that could still be the start of a stop
// string is held back, so a stop string never reaches the client, even when it spans several
// pieces or starts in the middle of one.

export interface StopPush {
  /** Text now safe to send. */
  emit: string;
  /** A stop string completed: `emit` is everything before it; generation should end. */
  stopped: boolean;
}

/*
 * Which stop wins: the one that COMPLETES first in the text (earliest end), and among those
 * ending at the same place the longest (earliest start). That is the only rule that gives the
 * same answer however the text is split into pieces, since a streaming matcher must stop the
 * moment any stop string is complete. E.g. stops "ab" and "abc" on "xabc" stop at "ab" → "x".
 */
export class StopMatcher {
  private readonly stops: readonly string[];
  private held = "";
  private stopped = false;

  /** Empty strings are ignored (they would match everywhere). */
  constructor(stops: readonly string[]) {
    this.stops = stops.filter((s) => s.length > 0);
  }

  push(text: string): StopPush {
    if (this.stopped) return { emit: "", stopped: true };
    const buf = this.held + text;
    let end = Infinity;
    let start = Infinity;
    for (const s of this.stops) {
      // The first occurrence of a string is also the one that ends first.
      const at = buf.indexOf(s);
      if (at < 0) continue;
      if (at + s.length < end || (at + s.length === end && at < start)) {
        end = at + s.length;
        start = at;
      }
    }
    if (start !== Infinity) {
      this.stopped = true;
      this.held = "";
      return { emit: buf.slice(0, start), stopped: true };
    }
    const keep = this.partialSuffix(buf);
    this.held = buf.slice(buf.length - keep);
    return { emit: buf.slice(0, buf.length - keep), stopped: false };
  }

  /** End of generation without a stop: the held-back text, which turned out not to be a stop. */
  flush(): string {
    const rest = this.held;
    this.held = "";
    return this.stopped ? "" : rest;
  }

  /** True once a stop string has matched. */
  get done(): boolean {
    return this.stopped;
  }

  /**
   * Length of the longest suffix of `buf` that is a proper prefix of some stop string. Holding
   * the longest (not just any) keeps every possible future match inside the held text.
   */
  private partialSuffix(buf: string): number {
    let best = 0;
    for (const s of this.stops) {
      for (let len = Math.min(s.length - 1, buf.length); len > best; len--) {
        if (startsAt(buf, buf.length - len, s, len)) {
          best = len;
          break;
        }
      }
    }
    return best;
  }
}

/** buf[at, at + len) === s[0, len), without allocating slices. */
function startsAt(buf: string, at: number, s: string, len: number): boolean {
  for (let i = 0; i < len; i++) if (buf.charCodeAt(at + i) !== s.charCodeAt(i)) return false;
  return true;
}
